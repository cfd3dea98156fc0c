// The native LoRA trainer for tests: built with the repo's own script (cmake + a C++ compiler;
// `npm run build:trainer`) when it is missing, or always when `rebuild` is set (the build is
// incremental, so a changed trainer source is compiled in). A failed build fails the test with the
// build's output.
import { execFileSync } from "node:child_process";
import { findTrainerBinary, type TrainerVariant } from "../../extension/engine/train/trainerProcess";

export function ensureTrainer(options: { rebuild?: boolean; variant?: TrainerVariant } = {}): void {
  const variant = options.variant ?? "cpu";
  if (!options.rebuild && findTrainerBinary(variant)) return;
  try {
    execFileSync(process.execPath, ["scripts/buildTrainer.mjs", "--variant", variant], { encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`Building the LoRA trainer failed (npm run build:trainer; needs cmake and a C++ compiler):\n${e.stderr ?? ""}${e.stdout ?? ""}`, { cause: error });
  }
}
