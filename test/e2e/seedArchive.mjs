// Seeds the e2e workspace's archive with a short real session (`clade evolve` with the test model:
// tiny budget, 2 turns, no gate so self-edited children are evaluated), then reads back what the
// CLI reports, so the UI tests can check that the Archive view shows the same versions.
import { execFileSync } from "node:child_process";
import path from "node:path";
import * as esbuild from "esbuild";

export function seedArchive(root, { model, workspace }) {
  const cli = path.join(root, "bin", "clade.mjs");
  const run = (args) => execFileSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 150_000 });
  const summary = JSON.parse(run([
    "evolve", "--model", model, "--workspace", workspace, "--threads", "1", "--context-size", "1024",
    "--budget-evals", "3", "--budget-expansions", "2", "--max-turns", "2", "--gate-tasks", "0", "--seed", "1", "--json",
  ]));
  let archive = JSON.parse(run(["archive", "--workspace", workspace, "--json"]));
  if (!archive.nodes.some((n) => n.parentId !== null && n.status !== "invalid")) {
    // The random-weight model made no working child this time: add a hand-made one so review works.
    const script = path.join(root, "test-output", "e2e-handmade-version.mjs");
    esbuild.buildSync({
      entryPoints: [path.join(root, "test", "e2e", "handmadeVersion.ts")], outfile: script, bundle: true, platform: "node", format: "esm", target: "node20",
      external: ["esbuild", "typescript", "node-llama-cpp"], logLevel: "warning",
      banner: { js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);" },
    });
    execFileSync(process.execPath, [script, workspace], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    archive = JSON.parse(run(["archive", "--workspace", workspace, "--json"]));
  }
  const nodes = archive.nodes.map((n) => ({ id: n.id, parentId: n.parentId, status: n.status, passed: n.passed, evaluated: n.evaluated }));
  // A child that can be accepted (not invalid) and that changed files vs its parent, for diff/accept/revert.
  const candidates = nodes.filter((n) => n.parentId !== null && n.status !== "invalid");
  let child = null;
  for (const n of candidates) {
    const diff = JSON.parse(run(["diff", n.id, "--workspace", workspace, "--json"]));
    if (diff.files.length) {
      child = { id: n.id, files: diff.files.map((f) => f.path) };
      break;
    }
  }
  return { summary, nodes, child };
}
