// `npm start`: Clade's main job, end to end — a real self-improvement session through real llama.cpp
// inference. The model is $CLADE_MODEL when set; otherwise the agent-capable TEST model (a small
// model Clade trains on its own reference trajectories: it has seen these tasks, so the session shows
// the machinery working, not a model getting smarter; built once, ~11 minutes on 2 cores, then cached
// in ~/.cache/clade). The session runs on four built-in tasks with a budget of 20 evaluations, then
// the archive tree, the versions' scores and the best version's diff are printed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const work = path.join(root, ".clade", "start");
const workspace = path.join(work, "workspace");
const threads = String(Math.max(1, Math.min(os.cpus().length, 8)));
const DEMO_TASKS = "t0-default-port,t0-log-level,t0-subtract-order,t1-request-timeout";

function clade(args, options = {}) {
  console.log(`\n$ clade ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}${options.why ? `    # ${options.why}` : ""}`);
  const { status } = spawnSync(process.execPath, [path.join(root, "bin", "clade.mjs"), ...args], { stdio: "inherit", cwd: root });
  if (status !== 0 && !options.allowFailure) {
    console.error(`\nclade ${args[0]} failed (exit ${status}); the messages above say why and what to do.`);
    process.exit(status ?? 1);
  }
  return status;
}

const build = spawnSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { stdio: "inherit", cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
mkdirSync(work, { recursive: true });

let model = process.env.CLADE_MODEL;
if (model) {
  console.log(`Using CLADE_MODEL=${model}.`);
} else {
  model = path.join(work, "agent.gguf");
  console.log("No CLADE_MODEL set: using Clade's agent-capable TEST model (trained on these very tasks; it proves the machinery, not the model).");
  clade(["model", "test-model", "--preset", "agent", "--out", model, "--threads", threads], { why: "build it (about 11 minutes the first time, then from ~/.cache/clade in seconds)" });
}

// A fresh archive each time: the session's output is the point.
rmSync(workspace, { recursive: true, force: true });
mkdirSync(workspace, { recursive: true });
const session = ["evolve", "--workspace", workspace, "--suite", "builtin", "--tasks", DEMO_TASKS, "--model", model, "--threads", threads, "--strategy", "dgm", "--budget-evals", "20"];
// The test model is trained for greedy decoding; a real model samples as its version says.
if (!process.env.CLADE_MODEL) session.push("--temperature", "0");
clade(session, { why: "a self-improvement session: diagnose, self-edit, gate, evaluate, archive" });
clade(["archive", "--workspace", workspace], { why: "the archive tree with every version's score" });
clade(["status", "--workspace", workspace], { why: "budget used, the active and the best version" });
const best = spawnSync(process.execPath, [path.join(root, "bin", "clade.mjs"), "status", "--workspace", workspace, "--json"], { cwd: root, encoding: "utf8" });
const bestId = (() => {
  try {
    return JSON.parse(best.stdout).best?.id ?? null;
  } catch {
    return null;
  }
})();
if (bestId && bestId !== "n0") clade(["diff", bestId, "--workspace", workspace], { why: "what the best version changed in its own code" });

console.log(`
Next:
  - Open the same archive in VS Code: code ${workspace}  (Clade's Archive view shows the tree, scores and diffs;
    the extension installs from the VSIX made by \`npm run package\`).
  - Accept the best version and put it to work on your own code:
      node bin/clade.mjs accept ${bestId ?? "<node>"} --workspace ${workspace}
      node bin/clade.mjs ask "<what to change>" --workspace <your repo> --model <model.gguf>
  - Use a real model: CLADE_MODEL=/path/to/qwen2.5-coder-7b-instruct-q4_k_m.gguf npm start
    (or \`clade model download hf:…\`; see README "Models").`);
// The session must have grown something: a tree with only the root is a failed main job.
const tree = spawnSync(process.execPath, [path.join(root, "bin", "clade.mjs"), "archive", "--workspace", workspace, "--json"], { cwd: root, encoding: "utf8" });
const nodes = (() => {
  try {
    return JSON.parse(tree.stdout).nodes ?? [];
  } catch {
    return [];
  }
})();
if (!existsSync(path.join(workspace, ".clade", "archive.jsonl")) || nodes.length < 2) {
  console.error(`\nThe session made no version beyond the root (${nodes.length} node(s)); see the output above.`);
  process.exit(1);
}
