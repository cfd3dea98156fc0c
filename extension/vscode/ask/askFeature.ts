// "Clade: Ask the Agent…": the active version works on a sandboxed copy of this workspace (engine:
// ask/askService.ts). The Ask view streams the run (each tool call, its result collapsed beneath
// it, tokens and time) with Stop; when it ends, the changes are listed, each opening VS Code's diff
// (the agent's starting text ↔ its text); Apply writes them as ONE WorkspaceEdit (Undo takes it
// back), refused whole when a file differs from what the agent started from (an unsaved editor
// counts); Discard drops them; Save as Task makes an applied ask a task of .clade/tasks.yaml.
import { promises as fs } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import type { AskEvent, AskFileChange, AskParams, AskResult } from "../../protocol/ask";
import { Requests } from "../../protocol/engine";
import { CladeError } from "../../protocol/errors";
import type { CladeDeps } from "../deps";
import { readSessionSettings } from "../session/sessionService";
import { requireTrusted, sessionParams } from "../session/sessionSettings";
import { guarded } from "../util/guarded";
import { planApply, type PlannedFile } from "../../engine/ask/applyPlan";
import { displayPath } from "../../protocol/displayText";

export const ASK = "clade.ask";
export const ASK_VIEW = "clade.ask";
const SCHEME = "clade-ask";

/** What `clade.ask` takes from code (tests, other extensions); from the palette it asks for each. */
export interface AskCommandArgs {
  instruction?: string;
  /** "" for none. */
  testCommand?: string;
  /** A SCRIPTED replay of model replies instead of the model (deterministic tests). */
  scripted?: AskParams["scripted"];
  sampling?: AskParams["sampling"];
}

interface Step {
  turn: number;
  name: string;
  args: string;
  atMs: number;
  result?: { ok: boolean; output: string };
}

type AskState =
  | { phase: "running"; instruction: string; steps: Step[]; tokens: number; startedAt: number; controller: AbortController }
  | { phase: "done"; instruction: string; steps: Step[]; tokens: number; result: AskResult; resolution: "applied" | "discarded" | null; savedAs?: string }
  | { phase: "failed"; instruction: string; steps: Step[]; tokens: number; message: string };

type Item =
  | { kind: "header" }
  | { kind: "step"; step: Step }
  | { kind: "result"; step: Step }
  | { kind: "changes"; changes: AskFileChange[] }
  | { kind: "file"; change: AskFileChange }
  | { kind: "tests" };

export class AskView implements vscode.TreeDataProvider<Item>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Item | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  state: AskState | undefined;
  private timer: NodeJS.Timeout | undefined;

  set(state: AskState | undefined): void {
    this.state = state;
    clearInterval(this.timer);
    // The header's elapsed time ticks while the agent works.
    if (state?.phase === "running") this.timer = setInterval(() => this.changed.fire(undefined), 1000);
    void vscode.commands.executeCommand("setContext", "clade.askRunning", state?.phase === "running");
    void vscode.commands.executeCommand("setContext", "clade.askProposed", state?.phase === "done" && state.result.outcome === "proposed" && state.resolution === null);
    void vscode.commands.executeCommand("setContext", "clade.askApplied", state?.phase === "done" && state.resolution === "applied" && !state.savedAs);
    this.changed.fire(undefined);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(item?: Item): Item[] {
    const s = this.state;
    if (!s) return [];
    if (!item) {
      const items: Item[] = [{ kind: "header" }, ...s.steps.map((step) => ({ kind: "step" as const, step }))];
      if (s.phase === "done") {
        if (s.result.testCommand) items.push({ kind: "tests" });
        if (s.result.changes.length) items.push({ kind: "changes", changes: s.result.changes });
      }
      return items;
    }
    if (item.kind === "step" && item.step.result) return [{ kind: "result", step: item.step }];
    if (item.kind === "changes") return item.changes.map((change) => ({ kind: "file" as const, change }));
    return [];
  }

  getTreeItem(item: Item): vscode.TreeItem {
    const s = this.state!;
    switch (item.kind) {
      case "header": {
        const t = new vscode.TreeItem(s.instruction.split("\n")[0]!, vscode.TreeItemCollapsibleState.None);
        t.iconPath = new vscode.ThemeIcon(s.phase === "running" ? "loading~spin" : s.phase === "failed" ? "error" : "comment-discussion");
        t.description = headerDescription(s);
        t.tooltip = new vscode.MarkdownString(`**${escapeMd(s.instruction)}**\n\n${headerDescription(s)}`);
        t.contextValue = `ask.${s.phase === "done" ? (s.resolution ?? s.result.outcome) : s.phase}`;
        return t;
      }
      case "step": {
        const t = new vscode.TreeItem(`${item.step.turn}. ${item.step.name}`, item.step.result ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        t.description = `${shown(item.step.args, 60)} · ${(item.step.atMs / 1000).toFixed(1)} s`;
        t.tooltip = item.step.args;
        t.iconPath = new vscode.ThemeIcon(!item.step.result ? "loading~spin" : item.step.result.ok ? "check" : "warning");
        return t;
      }
      case "result": {
        const t = new vscode.TreeItem(shown(item.step.result!.output || "(no output)", 120), vscode.TreeItemCollapsibleState.None);
        t.tooltip = new vscode.MarkdownString().appendCodeblock(item.step.result!.output.slice(0, 4000), "text");
        return t;
      }
      case "tests": {
        const r = (s as Extract<AskState, { phase: "done" }>).result;
        const word = (x: { passed: boolean } | null) => (x ? (x.passed ? "pass" : "fail") : "—");
        const t = new vscode.TreeItem(`Tests: ${word(r.testsBefore)} → ${word(r.testsAfter)}`, vscode.TreeItemCollapsibleState.None);
        t.description = r.testCommand ?? "";
        t.iconPath = new vscode.ThemeIcon(r.testsAfter?.passed ? "pass" : "error");
        t.tooltip = new vscode.MarkdownString().appendCodeblock((r.testsAfter?.output ?? "").slice(-4000), "text");
        return t;
      }
      case "changes": {
        const t = new vscode.TreeItem(`Changes (${item.changes.length})`, vscode.TreeItemCollapsibleState.Expanded);
        t.iconPath = new vscode.ThemeIcon("diff");
        t.contextValue = "ask.changes";
        return t;
      }
      case "file": {
        const c = item.change;
        const t = new vscode.TreeItem(displayPath(c.path), vscode.TreeItemCollapsibleState.None);
        t.description = c.binary ? `${c.kind}, binary` : `${c.kind} +${c.added} −${c.removed}`;
        t.iconPath = new vscode.ThemeIcon(c.kind === "added" ? "diff-added" : c.kind === "deleted" ? "diff-removed" : "diff-modified");
        t.command = { command: "clade.ask.showChange", title: "Show Change", arguments: [c.path] };
        t.tooltip = `${c.path}: click for the diff`;
        return t;
      }
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.changed.dispose();
  }
}

function headerDescription(s: AskState): string {
  if (s.phase === "running") return `working · ${Math.round((Date.now() - s.startedAt) / 1000)} s · ${s.tokens} tokens`;
  if (s.phase === "failed") return `failed: ${s.message}`;
  const r = s.result;
  const what = s.resolution ?? (r.outcome === "proposed" ? `${r.changes.length} file(s) changed — review, then Apply or Discard` : r.outcome);
  return `${what}${s.savedAs ? ` · saved as task ${s.savedAs}` : ""} · ${r.versionId} · ${(r.run.wallMs / 1000).toFixed(1)} s · ${r.run.usage.promptTokens + r.run.usage.completionTokens} tokens`;
}

function shown(text: string, max: number): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, "\\$&");
}

/** The agent's before/after text of a changed file, read-only: clade-ask:/<side>/<path>?<askDir>. */
class AskContentProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [, side, ...rest] = uri.path.split("/");
    return fs.readFile(path.join(decodeURIComponent(uri.query), side!, ...rest), "utf8").catch(() => "");
  }
}

export function register(context: vscode.ExtensionContext, deps: CladeDeps): void {
  const view = new AskView();
  const tree = vscode.window.createTreeView(ASK_VIEW, { treeDataProvider: view });
  context.subscriptions.push(view, tree, vscode.workspace.registerTextDocumentContentProvider(SCHEME, new AskContentProvider()));

  const done = () => {
    const s = view.state;
    if (s?.phase !== "done") throw new CladeError("invalid-argument", "No ask has finished in this window.", "Run Clade: Ask the Agent… first.");
    return s;
  };

  const ask = async (args: AskCommandArgs = {}): Promise<AskResult | undefined> => {
    const { instruction: instructionArg, testCommand: testCommandArg } = args;
    requireTrusted(vscode.workspace.isTrusted, "Asking the agent");
    if (view.state?.phase === "running") throw new CladeError("archive-locked", "An ask is already running in this window.", "Wait for it, or press Stop in the Ask view.");
    const workspace = deps.archive.requireWorkspace();
    const instruction = instructionArg ?? (await vscode.window.showInputBox({ title: "Ask the agent", prompt: "What should the agent change in this workspace? It works on a copy; you review the diff before anything is written.", placeHolder: "e.g. make the default port 8080", ignoreFocusOut: true }));
    if (!instruction?.trim()) return undefined;
    const configured = vscode.workspace.getConfiguration("clade").get<string>("tests.command") ?? "";
    const testCommand = testCommandArg ?? (await vscode.window.showInputBox({ title: "Ask the agent: test command (optional)", prompt: "A shell command that defines done, run before and after on copies. Empty: none.", value: configured, ignoreFocusOut: true }));
    if (testCommand === undefined) return undefined;
    const files = openFiles(workspace);
    const controller = new AbortController();
    const state: AskState = { phase: "running", instruction, steps: [], tokens: 0, startedAt: Date.now(), controller };
    view.set(state);
    await vscode.commands.executeCommand(`${ASK_VIEW}.focus`);
    const client = await deps.engine.client();
    const subscription = client.onAskEvent((event) => onEvent(state, event, view));
    try {
      // A SCRIPTED replay (tests) needs no model.
      const model = args.scripted ? undefined : { ...deps.configuration.spec(), model: (await deps.models.ensureLoaded({ signal: controller.signal, onProgress: () => undefined })).file };
      // The clade.agent.* limits and the sandbox mode, as for any run (0 = the engine's default).
      const settings = sessionParams(readSessionSettings(), {}, workspace, true);
      const result = await client.request(Requests.ask, { workspace, instruction, testCommand: testCommand.trim() || undefined, files, model, scripted: args.scripted, limits: settings.limits, isolation: settings.isolation, sampling: args.sampling }, { signal: controller.signal });
      view.set({ phase: "done", instruction, steps: state.steps, tokens: state.tokens, result, resolution: null });
      void deps.archive.refresh();
      deps.log.info(`ask ${result.askId} (${result.versionId}): ${result.outcome}, ${result.changes.length} file(s), ${result.run.stopReason} after ${result.run.turns} turn(s)`);
      void announce(result);
      return result;
    } catch (error) {
      const message = controller.signal.aborted ? "stopped" : error instanceof Error ? error.message : String(error);
      view.set({ phase: "failed", instruction, steps: state.steps, tokens: state.tokens, message });
      if (controller.signal.aborted) return undefined;
      throw error;
    } finally {
      subscription.dispose();
    }
  };

  const announce = async (result: AskResult) => {
    if (result.outcome !== "proposed") return vscode.window.showInformationMessage(`Clade: the agent changed nothing (${result.run.stopReason}).`);
    const first = result.changes[0]!;
    const pick = await vscode.window.showInformationMessage(`Clade: the agent proposes changes to ${result.changes.length} file(s).`, "Review", "Apply", "Discard");
    if (pick === "Review") await showChange(first.path);
    else if (pick === "Apply") await apply();
    else if (pick === "Discard") await discard();
  };

  const showChange = async (file: string) => {
    const s = done();
    const query = encodeURIComponent(s.result.dir);
    const uri = (side: string) => vscode.Uri.from({ scheme: SCHEME, path: `/${side}/${file}`, query });
    await vscode.commands.executeCommand("vscode.diff", uri("before"), uri("after"), `${displayPath(file)} (agent's change, ask ${s.result.askId})`);
  };

  const apply = async (): Promise<{ ok: boolean; conflicts?: { path: string; why: string }[] }> => {
    const s = done();
    if (s.result.outcome !== "proposed" || s.resolution) throw new CladeError("invalid-argument", `This ask has nothing to apply (${s.resolution ?? s.result.outcome}).`, "Ask again.");
    const binary = s.result.changes.filter((c) => c.binary);
    if (binary.length) throw new CladeError("invalid-argument", `The change includes binary files (${binary.map((c) => c.path).join(", ")}), which an editor edit cannot write.`, `Apply it from a terminal: clade asks apply ${s.result.askId}`);
    const root = s.result.workspace;
    const planned: PlannedFile[] = [];
    for (const c of s.result.changes) {
      const uri = vscode.Uri.file(path.join(root, c.path));
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
      const current = open ? open.getText() : await fs.readFile(uri.fsPath, "utf8").catch(() => undefined);
      planned.push({ path: c.path, before: await readSide(s.result.dir, "before", c.path), after: await readSide(s.result.dir, "after", c.path), current });
    }
    const plan = planApply(planned);
    if (!plan.ok) {
      const message = `Clade did not apply the change: ${plan.conflicts.map((c) => `${displayPath(c.path)} (${c.why})`).join(", ")}. Nothing was written.`;
      deps.log.warn(message);
      void vscode.window.showWarningMessage(message, "Show Conflict").then((pick) => pick && showConflict(root, s.result.dir, plan.conflicts[0]!.path));
      return { ok: false, conflicts: plan.conflicts };
    }
    const edit = new vscode.WorkspaceEdit();
    const metadata = { label: `Clade ask ${s.result.askId}`, needsConfirmation: false };
    for (const f of plan.create) edit.createFile(vscode.Uri.file(path.join(root, f.path)), { contents: Buffer.from(f.after!, "utf8"), ignoreIfExists: false }, metadata);
    for (const f of plan.replace) {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(root, f.path)));
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), f.after!, metadata);
    }
    for (const f of plan.remove) edit.deleteFile(vscode.Uri.file(path.join(root, f.path)), { ignoreIfNotExists: true }, metadata);
    if (!(await vscode.workspace.applyEdit(edit, { isRefactoring: true }))) throw new CladeError("internal", "VS Code refused the edit.", "Try again, or apply it from a terminal: clade asks apply <ask>.");
    // Saved, so tests and tools see it; Undo in an editor still takes it back.
    for (const f of plan.replace) await vscode.workspace.textDocuments.find((d) => d.uri.fsPath === path.join(root, f.path))?.save();
    await deps.archive.request(Requests.askApplied, { workspace: root, askId: s.result.askId, files: s.result.changes.map((c) => c.path) });
    view.set({ ...s, resolution: "applied" });
    void deps.archive.refresh();
    deps.log.info(`ask ${s.result.askId}: applied to ${s.result.changes.length} file(s)`);
    return { ok: true };
  };

  const discard = async () => {
    const s = done();
    await deps.archive.request(Requests.askDiscard, { workspace: s.result.workspace, askId: s.result.askId });
    view.set({ ...s, resolution: "discarded" });
    void deps.archive.refresh();
    deps.log.info(`ask ${s.result.askId}: discarded`);
  };

  const saveTask = async (taskId?: string) => {
    const s = done();
    const saved = await deps.archive.request(Requests.askSaveTask, { workspace: s.result.workspace, askId: s.result.askId, taskId });
    view.set({ ...s, savedAs: saved.taskId });
    void deps.archive.refresh();
    void vscode.window.showInformationMessage(`Clade: saved as task ${saved.taskId} in .clade/tasks.yaml (checked: its start fails, the change passes).`);
    return saved;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(ASK, guarded(deps.log, (args?: AskCommandArgs) => ask(args))),
    vscode.commands.registerCommand("clade.ask.stop", () => (view.state?.phase === "running" ? view.state.controller.abort() : undefined)),
    vscode.commands.registerCommand("clade.ask.showChange", guarded(deps.log, (file: string) => showChange(file))),
    vscode.commands.registerCommand("clade.ask.apply", guarded(deps.log, () => apply())),
    vscode.commands.registerCommand("clade.ask.discard", guarded(deps.log, () => discard())),
    vscode.commands.registerCommand("clade.ask.saveTask", guarded(deps.log, (taskId?: string) => saveTask(taskId))),
  );
}

function onEvent(state: Extract<AskState, { phase: "running" }>, event: AskEvent, view: AskView): void {
  const r = event.record;
  if (r.type === "tool-call") state.steps.push({ turn: Number(r.turn), name: String(r.name), args: JSON.stringify(r.arguments ?? {}), atMs: event.atMs });
  else if (r.type === "tool-result") {
    const step = [...state.steps].reverse().find((s) => s.turn === Number(r.turn) && !s.result);
    if (step) step.result = { ok: Boolean(r.ok), output: String(r.output ?? "") };
  } else if (r.type === "llm") {
    const usage = r.usage as { promptTokens?: number; completionTokens?: number } | undefined;
    state.tokens += (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0);
  }
  view.refresh();
}

/** Files of this workspace in visible editors (the active one first): named to the agent as where to look. */
function openFiles(workspace: string): string[] {
  const editors = [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors].filter((e): e is vscode.TextEditor => e !== undefined && e.document.uri.scheme === "file");
  const out: string[] = [];
  for (const e of editors) {
    const rel = path.relative(workspace, e.document.uri.fsPath);
    if (rel && !rel.startsWith("..") && !path.isAbsolute(rel) && !out.includes(rel)) out.push(rel.split(path.sep).join("/"));
  }
  return out;
}

async function readSide(dir: string, side: "before" | "after", file: string): Promise<string | undefined> {
  return fs.readFile(path.join(dir, side, file), "utf8").catch(() => undefined);
}

async function showConflict(root: string, dir: string, file: string): Promise<void> {
  const mine = vscode.Uri.file(path.join(root, file));
  const theirs = vscode.Uri.from({ scheme: SCHEME, path: `/after/${file}`, query: encodeURIComponent(dir) });
  await vscode.commands.executeCommand("vscode.diff", mine, theirs, `${displayPath(file)}: yours ↔ the agent's`);
}
