// Builds the bundles once before any test: integration tests fork the real engine bundle
// (dist/engine.mjs) and run the real CLI (dist/cli.mjs).
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
