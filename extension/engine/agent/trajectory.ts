// Writes a run's trajectory as JSONL: every model call (the new messages since the previous call,
// the reply, tokens, timings), every tool call and result the agent reports, every command the
// engine ran for it, and the final outcome with the test output — enough to replay and to train on.
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import path from "node:path";
import type { ChatMessage, ChatParams, ChatResult } from "../../protocol/model";

export type TrajectoryRecord = { type: string } & Record<string, unknown>;

export class TrajectoryWriter {
  private readonly stream: WriteStream;
  private readonly started = Date.now();
  private previous: ChatMessage[] = [];
  private toolsWritten = false;
  private seq = 0;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.stream = createWriteStream(file, { flags: "w" });
  }

  write(record: TrajectoryRecord): void {
    this.stream.write(`${JSON.stringify({ seq: this.seq++, t: Date.now() - this.started, ...record })}\n`);
  }

  /** Records a model call: only the messages that are new since the last call (the rest is a kept prefix). */
  llm(params: ChatParams, result: ChatResult | undefined, error: string | undefined, ms: number): void {
    let kept = 0;
    while (kept < params.messages.length && kept < this.previous.length && sameMessage(params.messages[kept], this.previous[kept])) kept++;
    const tools = this.toolsWritten ? undefined : params.tools;
    this.toolsWritten ||= Boolean(params.tools);
    this.write({ type: "llm", keptMessages: kept, droppedMessages: this.previous.length - kept, newMessages: params.messages.slice(kept), tools, toolChoice: params.toolChoice, temperature: params.temperature, maxTokens: params.maxTokens, result, error, ms });
    this.previous = params.messages;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  return a.role === b.role && a.content === b.content && a.toolCallId === b.toolCallId && JSON.stringify(a.toolCalls) === JSON.stringify(b.toolCalls);
}

/** Rebuilds the full message list of every model call from a trajectory's records. */
export function replayMessages(records: TrajectoryRecord[]): ChatMessage[][] {
  const calls: ChatMessage[][] = [];
  let current: ChatMessage[] = [];
  for (const record of records) {
    if (record.type !== "llm") continue;
    current = [...current.slice(0, record.keptMessages as number), ...(record.newMessages as ChatMessage[])];
    calls.push(current);
  }
  return calls;
}
