// `npm run test:reliability`: builds the project, bundles every suite in test/reliability/*Suite.ts
// (esbuild, like the crash-test child) and runs each in its own Node process, one after another.
// Each suite prints one RELIABILITY-RESULT line (cases + figures). Prints the figures, writes them
// into RELIABILITY.md between the FIGURES markers, ends with `N passed, M failed` and exits
// non-zero if any case failed. `node scripts/reliability.mjs crash hostile` runs only those suites.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const engineNodeFlags = JSON.parse(readFileSync(path.join(root, "extension", "engine", "rpc", "engineNodeFlags.json"), "utf8"));
const suitesDir = path.join(root, "test", "reliability");
const outDir = path.join(root, "test-output", "reliability");
const PREFIX = "RELIABILITY-RESULT ";
const only = process.argv.slice(2);

const built = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
if (built.status !== 0) {
  console.error("reliability: the build failed; nothing was run.");
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const order = ["crash", "hostile", "badInput", "webview", "soak"];
const suites = readdirSync(suitesDir)
  .filter((f) => /Suite\.ts$/.test(f))
  .map((f) => f.replace(/Suite\.ts$/, ""))
  .filter((name) => !only.length || only.includes(name))
  .sort((a, b) => order.indexOf(a) - order.indexOf(b));
const entries = [...suites.map((s) => `${s}Suite.ts`), ...readdirSync(suitesDir).filter((f) => /Child\.ts$/.test(f))];
await esbuild.build({
  entryPoints: entries.map((f) => path.join(suitesDir, f)), outdir: outDir, outExtension: { ".js": ".mjs" }, bundle: true, platform: "node", format: "esm", target: "node20",
  external: ["esbuild", "typescript", "node-llama-cpp", "vscode"], logLevel: "warning",
  banner: { js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);" },
});

function runSuite(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const env = { ...process.env, CLADE_BUILTIN_TASKS: path.join(root, "extension", "engine", "tasks", "builtin") };
    // The suites run with the engine process's V8 flags (engineNodeFlags.json): the soak measures
    // the memory behaviour the engine has.
    const child = spawn(process.execPath, ["--expose-gc", ...engineNodeFlags.execArgv, path.join(outDir, `${name}Suite.mjs`)], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("close", (code, signal) => {
      const line = out.split("\n").find((l) => l.startsWith(PREFIX));
      const result = line ? JSON.parse(line.slice(PREFIX.length)) : { suite: name, cases: [], figures: {} };
      if (code !== 0 || !line) result.cases.push({ suite: name, name: "suite process", ok: false, detail: `exited with ${signal ?? code}${line ? "" : " before reporting"}` });
      result.seconds = (Date.now() - started) / 1000;
      resolve(result);
    });
  });
}

const results = [];
for (const name of suites) {
  console.log(`\n=== reliability suite: ${name}`);
  results.push(await runSuite(name));
}

const all = results.flatMap((r) => r.cases);
const counted = all.filter((c) => !c.knownLimit);
const failed = counted.filter((c) => !c.ok);
const of = (suite, pred = () => true) => {
  const cases = (results.find((r) => r.suite === suite)?.cases ?? []).filter((c) => !c.knownLimit).filter(pred);
  return `${cases.filter((c) => c.ok).length} / ${cases.length}`;
};
const fig = (suite) => results.find((r) => r.suite === suite)?.figures ?? {};
const lines = [
  `crashes survived / tried: ${fig("crash").survived ?? "—"} / ${fig("crash").tried ?? "—"} (session SIGKILLs ${fig("crash").sessionKills ?? "—"}, resumed ${fig("crash").sessionsResumed ?? "—"}; crash-suite cases ${of("crash")})`,
  `data lost: ${fig("crash").evaluationsLost ?? "—"} evaluations lost of ${fig("crash").evaluationsReported ?? "—"} reported done; duplicate nodes ${fig("crash").duplicateNodes ?? "—"}; inconsistent trees ${fig("crash").inconsistentTrees ?? "—"}`,
  `hostile cases contained / tried: ${of("hostile")}${(results.find((r) => r.suite === "hostile")?.cases ?? []).some((c) => c.knownLimit) ? ` (+ ${(results.find((r) => r.suite === "hostile")?.cases ?? []).filter((c) => c.knownLimit).length} documented limits of the process fallback, listed below)` : ""}`,
  `bad inputs handled / tried: ${of("badInput")}`,
  `VS Code side (webview CSP, inert repo markup, nothing executed by the host) held / tried: ${of("webview")}`,
  `soak: ${fig("soak").runs ?? "—"} runs in ${fig("soak").seconds ?? "—"} s; RSS growth after a ${fig("soak").warmupRuns ?? "—"}-run warm-up ${fig("soak").rssGrowthPercent ?? "—"}% (heap ${fig("soak").heapGrowthPercent ?? "—"}%); fds ${fig("soak").fdsBaseline ?? "—"} → ${fig("soak").fdsAfter ?? "—"}; child processes ${fig("soak").childrenAfter ?? "—"}; zombies ${fig("soak").zombies ?? "—"}`,
];
console.log("\n=== reliability figures");
for (const line of lines) console.log(line);
for (const c of failed) console.log(`FAILED ${c.suite}/${c.name}: ${c.detail.split("\n")[0]}`);

if (!only.length) writeFigures(results, lines);
console.log(`${counted.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);

function writeFigures(results, lines) {
  const file = path.join(root, "RELIABILITY.md");
  // eslint-disable-next-line no-control-regex -- control characters (a NUL in a garbage line) become spaces
  const escape = (s) => s.replace(/\|/g, "\\|").replace(/[\u0000-\u001f]+/g, " ").slice(0, 420);
  const table = results.flatMap((r) => [
    `\n### ${r.suite} (${r.cases.length} cases, ${r.seconds.toFixed(0)} s)\n`,
    "| case | result | what the user sees / evidence |",
    "|---|---|---|",
    ...r.cases.map((c) => `| ${escape(c.name)} | ${c.ok ? "held" : c.knownLimit ? "limit" : "**FAILED**"} | ${escape(c.detail)} |`),
  ]);
  const block = [`<!-- FIGURES:START (written by scripts/reliability.mjs on ${new Date().toISOString().slice(0, 10)}) -->`, "```", ...lines, `${counted.length - failed.length} passed, ${failed.length} failed`, "```", ...table, "<!-- FIGURES:END -->"].join("\n");
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    text = "# Reliability\n\n## Figures\n\n<!-- FIGURES:START --><!-- FIGURES:END -->\n";
  }
  text = text.replace(/<!-- FIGURES:START[\s\S]*?<!-- FIGURES:END -->/, block);
  writeFileSync(file, text);
}
