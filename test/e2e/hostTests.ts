// End-to-end tests that run inside a real VS Code extension host (code-server), against the real
// `vscode` API, the real engine process and a real GGUF model. test/e2e/run.mjs bundles this file and
// passes it as `extensionTestsPath`; the extension host calls run() and exits with its outcome.
// Expected facts about the model come from the harness (read from the GGUF file independently).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import type { AskResult } from "../../extension/protocol/ask";
import type { CladeApi } from "../../extension/vscode/extension";

interface Expected {
  architecture: string;
  parameterCount: number;
  modelFile: string;
  /** What `clade archive` reported for the seeded workspace (see seedArchive.mjs). */
  archive: {
    nodes: { id: string; parentId: string | null; status: string; passed: number; evaluated: number }[];
    child: { id: string; files: string[] } | null;
  };
  /** The agent-capable test model and the T0 task it is asked to do (see run.mjs). */
  ask: { agentModel: string; instruction: string; file: string; start: string };
}

interface Outcome {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

const EXTENSION_ID = "clade-dev.clade";
const COMMANDS = [
  "clade.selectModel", "clade.showModelInfo", "clade.restartEngine", "clade.showLog", "clade.startSession", "clade.stopSession", "clade.resumeSession",
  "clade.acceptVersion", "clade.revertVersion", "clade.undoActivation", "clade.showDiff", "clade.compareVersions", "clade.showNodeDetails",
  "clade.openTrajectory", "clade.evaluateOnSuite", "clade.runTask", "clade.downloadRecommendedModel",
  "clade.ask", "clade.ask.stop", "clade.ask.apply", "clade.ask.discard", "clade.ask.saveTask", "clade.ask.showChange",
];

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
  // Shown rendered (the Markdown preview), not as Markdown source.
  const previewTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label.includes("Model Info"));
  for (let i = 0; i < 50 && !previewTab(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => `${t.label}${t.input instanceof vscode.TabInputWebview ? " (webview)" : ""}`));
  check(previewTab(), `no rendered Model Info tab: ${JSON.stringify(tabs)}`);
}

const tests: [string, () => Promise<void>][] = [
  ...archiveTests(),
  ...askTests(),
  ...sessionPrecheckTests(),
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

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  check(folder, "no workspace folder is open");
  return folder.uri.fsPath;
}

function reviewChild(): { id: string; files: string[] } {
  const child = expected().archive.child;
  check(child, `the seeded archive has no valid child with changed files: ${JSON.stringify(expected().archive.nodes)}`);
  return child;
}

function archiveEvents(): { type: string; nodeId: string; runId?: string }[] {
  const log = fs.readFileSync(path.join(workspaceDir(), ".clade", "archive.jsonl"), "utf8");
  return log.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string; nodeId: string; runId?: string });
}

function activationEvents(): { type: string; nodeId: string }[] {
  return archiveEvents().filter((e) => e.type === "node-accepted" || e.type === "node-reverted");
}

function archiveTests(): [string, () => Promise<void>][] {
  return [
    ["the Archive model shows the versions `clade archive` reports", async () => {
      const { deps } = await api();
      const tree = await deps.archive.refresh();
      check(tree?.exists, "the engine reports no archive in the workspace");
      const got = tree.nodes.map((n) => `${n.id}:${n.parentId}:${n.status}:${n.passed}/${n.evaluated}`);
      const want = expected().archive.nodes.map((n) => `${n.id}:${n.parentId}:${n.status}:${n.passed}/${n.evaluated}`);
      check(JSON.stringify(got) === JSON.stringify(want), `archive view ${JSON.stringify(got)} ≠ CLI ${JSON.stringify(want)}`);
    }],
    ["Show Diff vs Parent opens vscode.diff over clade-node: documents", async () => {
      await api();
      const child = reviewChild();
      const diff = (await vscode.commands.executeCommand("clade.showDiff", child.id, child.files[0])) as { files: { path: string }[]; against: string } | undefined;
      check(diff, "Show Diff returned nothing (its error is in the Clade log)");
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      check(tab?.input instanceof vscode.TabInputTextDiff, `the active tab is not a diff: ${tab?.label}`);
      const input = tab.input as vscode.TabInputTextDiff;
      check(input.modified.scheme === "clade-node" && input.modified.path === `/${child.id}/${child.files[0]}`, `diff right side is ${input.modified.toString()}`);
      check(input.original.scheme === "clade-node", `diff left side is ${input.original.toString()}`);
      const left = (await vscode.workspace.openTextDocument(input.original)).getText();
      const right = (await vscode.workspace.openTextDocument(input.modified)).getText();
      check(left !== right, "both sides of the diff have the same text");
    }],
    ["Show Details and Open Trajectory render Markdown documents", async () => {
      await api();
      const child = reviewChild();
      const details = (await vscode.commands.executeCommand("clade.showNodeDetails", child.id)) as string | undefined;
      check(details?.includes(`# Version ${child.id}`) && details.includes("## Results per task"), `details document: ${details?.slice(0, 300)}`);
      const evaluated = expected().archive.nodes.find((n) => n.evaluated > 0);
      check(evaluated, "no seeded node has an evaluation");
      const runId = archiveEvents().find((e) => e.type === "evaluation-finished" && e.nodeId === evaluated.id)?.runId;
      check(runId, `no evaluation-finished event for ${evaluated.id} in the archive log`);
      const trajectory = (await vscode.commands.executeCommand("clade.openTrajectory", evaluated.id, runId)) as string | undefined;
      check(trajectory?.includes("## Outcome"), `trajectory document has no outcome: ${trajectory?.slice(0, 400)}`);
      check(vscode.window.activeTextEditor?.document.languageId === "markdown", "the trajectory is not shown as Markdown");
    }],
    ["Accept, Revert and Undo go through the engine and are recorded in the archive log", async () => {
      const { deps } = await api();
      const child = reviewChild();
      const before = activationEvents().length;
      const accepted = (await vscode.commands.executeCommand("clade.acceptVersion", child.id)) as { active: string | null } | undefined;
      check(accepted?.active === child.id, `accept returned ${JSON.stringify(accepted)}`);
      check(deps.archive.tree?.active === child.id, `the view's active version is ${deps.archive.tree?.active}`);
      const reverted = (await vscode.commands.executeCommand("clade.revertVersion", child.id)) as { active: string | null } | undefined;
      check(reverted && reverted.active === null, `revert returned ${JSON.stringify(reverted)}`);
      check(deps.archive.node(child.id)?.reverted === true, "the reverted version is not marked reverted");
      const undone = (await vscode.commands.executeCommand("clade.undoActivation")) as { active: string | null } | undefined;
      check(undone?.active === child.id, `undo returned ${JSON.stringify(undone)}`);
      await vscode.commands.executeCommand("clade.revertVersion", child.id);
      const events = activationEvents().slice(before).map((e) => `${e.type}:${e.nodeId}`);
      const want = ["accepted", "reverted", "accepted", "reverted"].map((t) => `node-${t}:${child.id}`);
      check(JSON.stringify(events) === JSON.stringify(want), `archive log has ${JSON.stringify(events)}, want ${JSON.stringify(want)}`);
    }],
    ["a change by another process (the CLI) reaches the views through archive/changed", async () => {
      const { deps } = await api();
      const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
      const child = reviewChild();
      const changed = waitFor(deps.archive.onDidChange, (tree) => tree?.active === child.id, 15_000, "the archive view to show the CLI's accept");
      execFileSync(process.execPath, [path.join(root, "bin", "clade.mjs"), "accept", child.id, "--workspace", workspaceDir()], { env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" } });
      await changed;
      const back = waitFor(deps.archive.onDidChange, (tree) => tree?.active === null, 15_000, "the archive view to show the CLI's revert");
      execFileSync(process.execPath, [path.join(root, "bin", "clade.mjs"), "revert", child.id, "--workspace", workspaceDir()], { env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" } });
      await back;
    }],
    ["Start Session runs Requests.evolve in the engine (resuming the archive) and Stop cancels it", async () => {
      const { deps } = await api();
      const tree = await deps.archive.refresh();
      check(tree, "no archive tree");
      const sessions = tree.sessions.length;
      // Budget = what is used already: the resumed session records itself and stops at once.
      const result = (await vscode.commands.executeCommand("clade.startSession", { suite: "builtin", strategy: "hgm", budgetEvaluations: tree.budget.used, parallel: 1 })) as { stopReason: string; sessionId: string } | undefined;
      check(result, `Start Session failed: ${deps.sessions.current?.error}`);
      check(["budget", "nothing-to-do", "expansion-budget"].includes(result.stopReason), `session stopped for ${result.stopReason}`);
      const after = await deps.archive.refresh();
      check(after && after.sessions.length === sessions + 1 && after.session?.resumes === tree.session?.id, `sessions ${tree.sessions.length} → ${after?.sessions.length}, resumes ${after?.session?.resumes}`);
      check(deps.sessions.current?.state === "finished", `session state ${deps.sessions.current?.state}`);
      // A larger budget: stop it while it runs.
      const running = vscode.commands.executeCommand("clade.startSession", { suite: "builtin", strategy: "hgm", budgetEvaluations: tree.budget.used + 20, parallel: 1 });
      await waitFor(deps.sessions.onDidChange, (live) => live?.state === "running" && live.progress?.title === "Self-improvement session", 90_000, "the session to report progress");
      await vscode.commands.executeCommand("clade.stopSession");
      const stopped = (await running) as { stopReason: string } | undefined;
      const state = deps.sessions.current?.state as string | undefined;
      check(stopped?.stopReason === "cancelled" || state === "cancelled", `after Stop Session: result ${JSON.stringify(stopped)}, state ${state}`);
      check(deps.engine.status === "running", `engine status ${deps.engine.status} after stopping a session`);
    }],
  ];
}

/** Runs `body` with some Clade settings changed, then puts them back. */
async function withSettings<T>(values: Record<string, unknown>, body: () => Promise<T>): Promise<T> {
  const config = vscode.workspace.getConfiguration("clade");
  const before = Object.fromEntries(Object.keys(values).map((key) => [key, config.inspect(key)?.globalValue]));
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Global);
  try {
    return await body();
  } finally {
    for (const [key, value] of Object.entries(before)) await config.update(key, value, vscode.ConfigurationTarget.Global);
  }
}

function sessionPrecheckTests(): [string, () => Promise<void>][] {
  return [
    ["Start Session without a model says so before any question, and leaves no failed session behind", async () => {
      const { deps } = await api();
      const before = deps.sessions.current;
      const result = await withSettings({ "model.path": "" }, async () => {
        check(!deps.configuration.configured, "clade.model.path \"\" still reads as configured");
        return vscode.commands.executeCommand("clade.startSession");
      });
      check(result === undefined, `Start Session returned ${JSON.stringify(result)}`);
      check(deps.sessions.current === before, `a session row was left: ${JSON.stringify(deps.sessions.current?.state)}`);
    }],
  ];
}

function askTests(): [string, () => Promise<void>][] {
  const file = () => path.join(workspaceDir(), expected().ask.file);
  let askId = "";
  return [
    ["Ask the Agent (agent test model): the run streams, the change opens as a diff, the working file is untouched", async () => {
      const { deps } = await api();
      const want = expected().ask;
      fs.writeFileSync(file(), want.start);
      const events: string[] = [];
      const subscription = (await deps.engine.client()).onAskEvent((e) => e.record.type === "tool-call" && events.push(String(e.record.name)));
      const result = await withSettings({ "model.path": want.agentModel, "model.contextSize": 2560, "agent.maxTurns": 8 }, async () =>
        (await vscode.commands.executeCommand("clade.ask", { instruction: want.instruction, testCommand: "", sampling: { temperature: 0 } })) as AskResult | undefined,
      ).finally(() => subscription.dispose());
      check(result, "Ask the Agent returned nothing (its error is in the Clade log)");
      check(result.outcome === "proposed", `the ask ended ${result.outcome} (${result.run.stopReason}, ${result.run.turns} turns)`);
      check(JSON.stringify(result.changes.map((c) => c.path)) === JSON.stringify([want.file]), `changed ${JSON.stringify(result.changes)}`);
      check(events.length >= 2 && events.includes("edit_file"), `the view was sent these tool calls as they happened: ${JSON.stringify(events)}`);
      check(fs.readFileSync(file(), "utf8") === want.start, "the working file changed before Apply");
      askId = result.askId;
      await vscode.commands.executeCommand("clade.ask.showChange", want.file);
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      check(tab?.input instanceof vscode.TabInputTextDiff, `the active tab is not a diff: ${tab?.label}`);
      const input = tab.input as vscode.TabInputTextDiff;
      check(input.original.scheme === "clade-ask" && input.modified.scheme === "clade-ask", `diff sides ${input.original.toString()} ↔ ${input.modified.toString()}`);
      const after = (await vscode.workspace.openTextDocument(input.modified)).getText();
      check((await vscode.workspace.openTextDocument(input.original)).getText() === want.start && after.includes("8080"), `the diff's sides: ${after.slice(0, 200)}`);
    }],
    ["Apply refuses a file edited meanwhile (unsaved editor text counts), then writes the change as one undoable edit", async () => {
      const { deps } = await api();
      const want = expected().ask;
      const editor = await vscode.window.showTextDocument(vscode.Uri.file(file()));
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), "// my own edit\n"));
      const refused = (await vscode.commands.executeCommand("clade.ask.apply")) as { ok: boolean; conflicts?: { path: string }[] } | undefined;
      check(refused && !refused.ok && refused.conflicts?.[0]?.path === want.file, `apply with a conflicting edit returned ${JSON.stringify(refused)}`);
      check(editor.document.getText().startsWith("// my own edit") && fs.readFileSync(file(), "utf8") === want.start, "the user's edit or the file was overwritten");
      await vscode.commands.executeCommand("workbench.action.files.revert");
      const applied = (await vscode.commands.executeCommand("clade.ask.apply")) as { ok: boolean } | undefined;
      check(applied?.ok, `apply returned ${JSON.stringify(applied)}`);
      check(fs.readFileSync(file(), "utf8").includes("DEFAULT_PORT = 8080"), `after Apply the file holds: ${fs.readFileSync(file(), "utf8")}`);
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand("undo");
      check(editor.document.getText() === want.start, `Undo did not restore the text: ${editor.document.getText()}`);
      await vscode.commands.executeCommand("workbench.action.files.save");
      const tree = await deps.archive.refresh();
      const ask = tree?.asks.find((a) => a.askId === askId);
      check(ask?.resolution === "applied", `the archive's asks: ${JSON.stringify(tree?.asks)}`);
      const root = tree?.nodes.find((n) => n.parentId === null);
      check(root?.userTasks?.applied === 1, `the root version's user-task score: ${JSON.stringify(root?.userTasks)}`);
    }],
    ["Save as Task: a scripted ask with a test command, applied, becomes a task `clade tasks check` validates", async () => {
      const { deps } = await api();
      const ws = workspaceDir();
      fs.writeFileSync(path.join(ws, "greeting.mjs"), 'export const greeting = "helo";\n');
      fs.mkdirSync(path.join(ws, "test"), { recursive: true });
      fs.writeFileSync(path.join(ws, "test", "greeting.test.mjs"), 'import test from "node:test";\nimport assert from "node:assert/strict";\nimport { greeting } from "../greeting.mjs";\ntest("greeting", () => assert.equal(greeting, "hello"));\n');
      const scripted = [
        { toolCall: { name: "edit_file", arguments: { path: "greeting.mjs", search: '"helo"', replace: '"hello"' } } },
        { toolCall: { name: "finish", arguments: { summary: "Fixed the typo." } } },
      ];
      const result = (await vscode.commands.executeCommand("clade.ask", { instruction: "Fix the greeting's typo.", testCommand: "node --test", scripted })) as AskResult | undefined;
      check(result?.outcome === "proposed" && result.testsBefore?.passed === false && result.testsAfter?.passed === true, `scripted ask: ${JSON.stringify(result && { outcome: result.outcome, before: result.testsBefore, after: result.testsAfter })}`);
      const applied = (await vscode.commands.executeCommand("clade.ask.apply")) as { ok: boolean } | undefined;
      check(applied?.ok, `apply: ${JSON.stringify(applied)}`);
      const saved = (await vscode.commands.executeCommand("clade.ask.saveTask", "greeting-typo")) as { taskId: string; tasksFile: string } | undefined;
      check(saved?.taskId === "greeting-typo" && fs.existsSync(saved.tasksFile), `save as task: ${JSON.stringify(saved)}`);
      const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
      const out = execFileSync(process.execPath, [path.join(root, "bin", "clade.mjs"), "tasks", "check", "--suite", "yaml", "--workspace", ws, "--json"], { env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" }, encoding: "utf8" });
      const check2 = JSON.parse(out) as { tasks: { id: string; valid: boolean; problems: string[] }[] };
      const task = check2.tasks.find((t) => t.id === "greeting-typo");
      check(task?.valid, `clade tasks check: ${JSON.stringify(check2.tasks)}`);
      const tree = await deps.archive.refresh();
      check(tree?.asks.find((a) => a.askId === result.askId)?.savedAs === "greeting-typo", "the ask is not marked saved in the archive tree");
      // The UI tests ask the agent test model again: the workspace's files must be what it was trained on.
      fs.rmSync(path.join(ws, "greeting.mjs"));
      fs.rmSync(path.join(ws, "test"), { recursive: true });
    }],
  ];
}

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
