// Reads an agent run's trajectory (agent/trajectory.ts) back into what training needs: who ran it,
// whether the hidden tests passed, and the full message list, tools and reply of every model call.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { CladeError } from "../../protocol/errors";
import type { ChatMessage, ChatResult, ToolDefinition } from "../../protocol/model";
import { replayMessages, type TrajectoryRecord } from "../agent/trajectory";
import type { RenderRequest } from "./inferencePrompt";

export interface RecordedCall {
  /** The full message list the model was given. */
  messages: ChatMessage[];
  request: RenderRequest;
  /** Undefined when the call failed. */
  result?: ChatResult;
}

export interface TrajectoryRun {
  file: string;
  runId: string;
  taskId: string;
  versionId: string;
  /** An `end` record exists (the run finished and was scored). */
  ended: boolean;
  /** The hidden tests passed (pass@1). */
  passed: boolean;
  calls: RecordedCall[];
  /** Turns after which a new attempt started (the agent's finish failed its tests), from `attempt` events. */
  attemptTurns: number[];
  /** The agent's turns (the end record's), when known. */
  turns?: number;
  /** From the end record: how the agent stopped, the hidden tests' output and exit, the run's error. */
  stopReason?: string;
  test?: { exitCode: number | null; timedOut: boolean; output: string };
  error?: { reason: string; message: string };
}

export async function readTrajectory(file: string): Promise<TrajectoryRun> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CladeError("invalid-argument", `The trajectory ${file} cannot be read: ${(error as Error).message}.`, "Pass the path of a trajectory JSONL written by an agent run.");
  }
  return parseTrajectory(file, text);
}

export function parseTrajectory(file: string, text: string): TrajectoryRun {
  const records = parseRecords(file, text);
  const start = records.find((record) => record.type === "start");
  const end = records.findLast((record) => record.type === "end");
  const result = (end?.result ?? {}) as { passed?: unknown; runId?: unknown; taskId?: unknown; versionId?: unknown; stopReason?: unknown; test?: unknown; error?: unknown };
  const test = result.test as { exitCode?: unknown; timedOut?: unknown; output?: unknown } | null | undefined;
  const error = result.error as { reason?: unknown; message?: unknown } | undefined;
  const task = (start?.task ?? {}) as { id?: unknown };
  return {
    file,
    runId: str(start?.runId) ?? str(result.runId) ?? path.basename(file, ".jsonl"),
    taskId: str(task.id) ?? str(result.taskId) ?? "",
    versionId: str(start?.versionId) ?? str(result.versionId) ?? "",
    ended: end !== undefined,
    passed: result.passed === true,
    calls: recordedCalls(records),
    attemptTurns: records.filter((r) => r.type === "attempt" && typeof r.turn === "number").map((r) => r.turn as number),
    ...(typeof (result as { turns?: unknown }).turns === "number" ? { turns: (result as { turns: number }).turns } : {}),
    ...(str(result.stopReason) ? { stopReason: str(result.stopReason) } : {}),
    ...(test && typeof test === "object" ? { test: { exitCode: typeof test.exitCode === "number" ? test.exitCode : null, timedOut: test.timedOut === true, output: str(test.output) ?? "" } } : {}),
    ...(error && typeof error === "object" ? { error: { reason: str(error.reason) ?? "", message: str(error.message) ?? "" } } : {}),
  };
}

function parseRecords(file: string, text: string): TrajectoryRecord[] {
  const records: TrajectoryRecord[] = [];
  text.split("\n").forEach((line, index) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CladeError("invalid-argument", `Line ${index + 1} of the trajectory ${file} is not JSON.`, "Use the trajectory file as the agent run wrote it (a run that crashed mid-write leaves a cut line).");
    }
    if (typeof value !== "object" || value === null || typeof (value as { type?: unknown }).type !== "string") {
      throw new CladeError("invalid-argument", `Line ${index + 1} of the trajectory ${file} is not a trajectory record.`, "Pass trajectory JSONL files written by agent runs.");
    }
    records.push(value as TrajectoryRecord);
  });
  return records;
}

/** Every model call's messages (replayMessages), tools (written once, on the first call that had them) and reply. */
function recordedCalls(records: TrajectoryRecord[]): RecordedCall[] {
  const llm = records.filter((record) => record.type === "llm");
  const messages = replayMessages(records);
  let tools: ToolDefinition[] | undefined;
  return llm.map((record, i) => {
    tools = (record.tools as ToolDefinition[] | undefined) ?? tools;
    const toolChoice = record.toolChoice as RenderRequest["toolChoice"];
    return { messages: messages[i], request: { tools, toolChoice }, result: record.result as ChatResult | undefined };
  });
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
