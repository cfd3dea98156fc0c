// End-to-end tests that run inside a real VS Code extension host (code-server), against the real
// `vscode` API, the real engine process and a real GGUF model. test/e2e/run.mjs bundles this file and
// passes it as `extensionTestsPath`; the extension host calls run() and exits with its outcome.
// Expected facts about the model come from the harness (read from the GGUF file independently).
import fs from "node:fs";
import * as vscode from "vscode";
import type { CladeApi } from "../../extension/vscode/extension";

interface Expected {
  architecture: string;
  parameterCount: number;
  modelFile: string;
}

interface Outcome {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

const EXTENSION_ID = "clade-dev.clade";
const COMMANDS = ["clade.selectModel", "clade.showModelInfo", "clade.restartEngine", "clade.showLog"];

function expected(): Expected {
  const raw = process.env.CLADE_E2E_EXPECTED;
  if (!raw) throw new Error("CLADE_E2E_EXPECTED is not set: run these tests through test/e2e/run.mjs.");
  return JSON.parse(raw) as Expected;
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function api(): Promise<CladeApi> {
  const extension = vscode.extensions.getExtension<CladeApi>(EXTENSION_ID);
  check(extension, `extension ${EXTENSION_ID} is not installed in this host`);
  return extension.isActive ? extension.exports : extension.activate();
}

function waitFor<T>(event: vscode.Event<T>, predicate: (value: T) => boolean, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (subscription.dispose(), reject(new Error(`timed out after ${ms} ms waiting for ${what}`))), ms);
    const subscription = event((value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    });
  });
}

function infoDocumentText(): string {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.scheme === "clade-info");
  check(document, "no clade-info: document is open after \"Clade: Show Model Info\"");
  check(document.languageId === "markdown", `the info document's language is ${document.languageId}, not markdown`);
  return document.getText();
}

async function showModelInfoAndCheck(): Promise<void> {
  const want = expected();
  const info = (await vscode.commands.executeCommand("clade.showModelInfo")) as { architecture: string; parameterCount: number } | undefined;
  check(info, "\"Clade: Show Model Info\" resolved without model info (its error is in the Clade log)");
  check(info.architecture === want.architecture, `engine reports architecture ${info.architecture}, the GGUF says ${want.architecture}`);
  check(info.parameterCount === want.parameterCount, `engine reports ${info.parameterCount} parameters, the GGUF has ${want.parameterCount}`);
  const text = infoDocumentText();
  check(text.includes(`| Architecture | \`${want.architecture}\` |`), `info document lacks the architecture row for ${want.architecture}:\n${text}`);
  check(text.includes(want.parameterCount.toLocaleString("en-US")), `info document lacks the parameter count ${want.parameterCount.toLocaleString("en-US")}:\n${text}`);
  check(vscode.window.activeTextEditor?.document.uri.scheme === "clade-info", "the info document is not the active editor");
}

const tests: [string, () => Promise<void>][] = [
  ["the extension activates and returns its API", async () => {
    const clade = await api();
    check(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, "extension is not active after activate()");
    const where = JSON.stringify(vscode.workspace.getConfiguration("clade.model").inspect("path"));
    check(clade.deps.configuration.configured, `clade.model.path from the machine settings is not seen as configured: ${where}`);
  }],
  ["its commands are registered", async () => {
    await api();
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = COMMANDS.filter((c) => !all.has(c));
    check(missing.length === 0, `commands not registered: ${missing.join(", ")}`);
  }],
  ["\"Clade: Show Model Info\" loads the model and shows its architecture and parameter count", showModelInfoAndCheck],
  ["the model state reaches the engine manager (status bar and view source)", async () => {
    const { deps } = await api();
    check(deps.engine.status === "running", `engine status is ${deps.engine.status}`);
    check(deps.engine.model.state === "ready", `model state is ${deps.engine.model.state}`);
    check(deps.engine.model.info?.threads === 1, `the engine uses ${deps.engine.model.info?.threads} threads, clade.model.threads says 1`);
  }],
  ["invalid settings are refused with the setting named, and the engine keeps running", async () => {
    const { deps } = await api();
    const config = vscode.workspace.getConfiguration("clade.model");
    await config.update("threads", -4, vscode.ConfigurationTarget.Global);
    try {
      const problems = deps.configuration.problems();
      check(problems.some((p) => p.setting === "clade.model.threads"), `no problem reported for clade.model.threads: ${JSON.stringify(problems)}`);
      const info = await vscode.commands.executeCommand("clade.showModelInfo");
      check(info === undefined, "Show Model Info succeeded with invalid settings");
      check(deps.engine.status === "running", `engine status is ${deps.engine.status} after a settings error`);
    } finally {
      await config.update("threads", 1, vscode.ConfigurationTarget.Global);
    }
  }],
  ["a killed engine is reported, and \"Clade: Restart Engine\" brings it back", async () => {
    const { deps } = await api();
    const client = await deps.engine.client();
    check(client.pid, "engine has no pid");
    const crashed = waitFor(deps.engine.onDidCrash, () => true, 15_000, "the crash event");
    process.kill(client.pid, "SIGKILL");
    const crash = await crashed;
    check(crash.error.reason === "engine-crashed", `crash reason is ${crash.error.reason}`);
    const status = (): string => deps.engine.status;
    check(status() === "crashed", `engine status is ${status()} after a crash`);
    await vscode.commands.executeCommand("clade.restartEngine");
    check(status() === "running", `engine status is ${status()} after Restart Engine`);
    const fresh = await deps.engine.client();
    check(fresh.pid !== client.pid, "Restart Engine returned the dead process");
    await showModelInfoAndCheck();
  }],
];

async function runOne(name: string, test: () => Promise<void>): Promise<Outcome> {
  const started = Date.now();
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out after 120 s")), 120_000).unref());
  try {
    await Promise.race([test(), timeout]);
    return { name, ok: true, ms: Date.now() - started };
  } catch (error) {
    return { name, ok: false, ms: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Called by the extension host; a rejection makes it exit non-zero. */
export async function run(): Promise<void> {
  const outcomes: Outcome[] = [];
  for (const [name, test] of tests) outcomes.push(await runOne(name, test));
  const resultsFile = process.env.CLADE_E2E_RESULTS;
  if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify(outcomes, null, 2));
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) throw new Error(`${failed.length} extension-host test(s) failed: ${failed.map((f) => f.name).join("; ")}`);
}
