// The validation gate's own record, `<workspace>/.clade/gate.jsonl`, next to the archive's log: the
// gate's task runs are no node's evaluations (the candidate is not a node yet, and a failed
// candidate never is one), so the archive's event log has no place for them. One line per gate
// task run (the candidate's, or its parent's when the parent had no result on that task yet) and
// one per verdict. It is read when a session starts, so that
//   - gate runs count against the session's budget across resumes (`runs`), and
//   - a version's results on the gate tasks (from its own gate, or an earlier comparison run) are
//     reused when it is the parent of the next candidate (`result`).
// Only the session holding the archive's writer lock appends to it. A line cut short by a crash is
// ignored when read (that run is then neither counted nor reused).
import { promises as fs } from "node:fs";
import path from "node:path";
import type { TokenUsage } from "../../protocol/model";
import type { RunResult } from "../../protocol/run";
import type { GateRole } from "./validate";

export interface GateRunLine {
  readonly type: "run";
  readonly at: string;
  readonly expansionId: string;
  /** The candidate of the expansion, or the parent it was compared with. */
  readonly role: GateRole;
  /** The parent's node id, or `candidate-<expansionId>`. */
  readonly versionId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly passed: boolean;
  readonly tokens: TokenUsage;
  readonly wallMs: number;
  readonly trajectory: string;
}

export interface GateVerdictLine {
  readonly type: "verdict";
  readonly at: string;
  readonly expansionId: string;
  readonly parentId: string;
  /** The node the expansion made (invalid when !ok). */
  readonly nodeId: string;
  readonly ok: boolean;
  readonly stage: string | null;
  /** The gate tasks; empty when none ran (`summary` says why). */
  readonly tasks: readonly string[];
  readonly candidatePassed: number | null;
  readonly parentPassed: number | null;
  readonly summary: string;
}

type GateLine = GateRunLine | GateVerdictLine;

export class GateLog {
  private runCount = 0;
  /** `${versionId}\n${taskId}` → the first gate result of that version on that task. */
  private readonly results = new Map<string, boolean>();
  /** Candidate results of expansions whose verdict (and so node id) is not read yet. */
  private readonly candidateRuns = new Map<string, { taskId: string; passed: boolean }[]>();
  private writing: Promise<unknown> = Promise.resolve();
  /** The file ends in a line cut short: the next line must not be glued to it. */
  private needsNewline = false;

  private constructor(readonly file: string) {}

  /** Reads `<cladeDir>/gate.jsonl` (the archive's `.clade` folder); absent: nothing recorded yet. */
  static async open(cladeDir: string): Promise<GateLog> {
    const log = new GateLog(path.join(cladeDir, "gate.jsonl"));
    const text = await fs.readFile(log.file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    for (const line of text.split("\n")) {
      const parsed = parseLine(line);
      if (parsed) log.apply(parsed);
    }
    log.needsNewline = text.length > 0 && !text.endsWith("\n");
    return log;
  }

  /** Gate task runs recorded so far (all sessions of this archive). */
  get runs(): number {
    return this.runCount;
  }

  /** The first gate result recorded for a node on a task (as a candidate, or as a compared parent). */
  result(nodeId: string, taskId: string): boolean | undefined {
    return this.results.get(`${nodeId}\n${taskId}`);
  }

  async recordRun(expansionId: string, role: GateRole, run: RunResult): Promise<void> {
    const { usage } = run;
    await this.append({
      type: "run", at: new Date().toISOString(), expansionId, role, versionId: run.versionId, taskId: run.taskId, runId: run.runId, passed: run.passed,
      tokens: { promptTokens: usage.promptTokens, cachedPromptTokens: usage.cachedPromptTokens, completionTokens: usage.completionTokens }, wallMs: run.wallMs, trajectory: run.trajectory,
    });
  }

  async recordVerdict(verdict: Omit<GateVerdictLine, "type" | "at">): Promise<void> {
    await this.append({ type: "verdict", at: new Date().toISOString(), ...verdict });
  }

  private async append(line: GateLine): Promise<void> {
    const next = this.writing.then(async () => {
      await fs.appendFile(this.file, `${this.needsNewline ? "\n" : ""}${JSON.stringify(line)}\n`, "utf8");
      this.needsNewline = false;
    });
    this.writing = next.catch(() => undefined);
    await next;
    this.apply(line);
  }

  private apply(line: GateLine): void {
    if (line.type === "run") {
      this.runCount += 1;
      if (line.role === "parent") this.remember(line.versionId, line.taskId, line.passed);
      else {
        const runs = this.candidateRuns.get(line.expansionId) ?? [];
        runs.push({ taskId: line.taskId, passed: line.passed });
        this.candidateRuns.set(line.expansionId, runs);
      }
      return;
    }
    // The candidate's runs become the results of the node its expansion made (valid or not).
    for (const run of this.candidateRuns.get(line.expansionId) ?? []) this.remember(line.nodeId, run.taskId, run.passed);
    this.candidateRuns.delete(line.expansionId);
  }

  private remember(versionId: string, taskId: string, passed: boolean): void {
    const key = `${versionId}\n${taskId}`;
    if (!this.results.has(key)) this.results.set(key, passed);
  }
}

function parseLine(line: string): GateLine | null {
  if (!line.trim()) return null;
  try {
    const value = JSON.parse(line) as Partial<GateLine> | null;
    if (value?.type === "run" && typeof value.expansionId === "string" && typeof value.versionId === "string" && typeof value.taskId === "string" && typeof value.passed === "boolean") return value as GateRunLine;
    if (value?.type === "verdict" && typeof value.expansionId === "string" && typeof value.nodeId === "string") return value as GateVerdictLine;
  } catch {
    // a line cut short by a crash
  }
  return null;
}
