// The agent process (dist/agentHarness.mjs BUNDLE). It loads one built agent version and hands it an
// AgentHost whose model calls and commands go over IPC to the engine. It runs under Node's
// permission model: it can read its own bundle and the sandbox, write only the sandbox, and start
// no processes — so a version's code cannot reach anything else, whatever it tries.
import { pathToFileURL } from "node:url";
import type { AgentHost, AgentModule, AgentOutcome, EngineToHarness, ExecResult, HarnessToEngine } from "../../../protocol/agent";
import type { ChatParams, ChatResult } from "../../../protocol/model";
import { lockDown } from "./lockDown";

type Pending = { resolve: (value: never) => void; reject: (error: Error) => void };

const pending = new Map<number, Pending>();
const abort = new AbortController();
let nextId = 1;

function send(message: HarnessToEngine): void {
  process.send?.(message);
}

type Request = { kind: "llm"; params: ChatParams } | { kind: "exec"; command: string; timeoutMs?: number };

function call<T>(message: Request): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (value: never) => void, reject });
    send({ ...message, id } as HarnessToEngine);
  });
}

/**
 * The version's module, loaded as soon as the process is up (a warm process loads it while it
 * waits for its task: the import was most of the time from task to first model call). The
 * lock-down comes first, before any of the version's code runs; a load error is reported with the task.
 */
function load(bundle: string): Promise<Partial<AgentModule>> {
  lockDown();
  const loading = import(pathToFileURL(bundle).href) as Promise<Partial<AgentModule>>;
  loading.catch(() => undefined); // reported by start()
  return loading;
}

async function start(loading: Promise<Partial<AgentModule>>, message: Extract<EngineToHarness, { kind: "start" }>): Promise<void> {
  const agent = await loading;
  if (typeof agent.runAgent !== "function") throw new Error("The agent version does not export a runAgent function from src/index.ts.");
  const host: AgentHost = {
    llm: (params) => call<ChatResult>({ kind: "llm", params }),
    exec: (command, options) => call<ExecResult>({ kind: "exec", command, timeoutMs: options?.timeoutMs }),
    record: (event) => send({ kind: "event", event }),
    limits: message.limits,
    signal: abort.signal,
  };
  const outcome: AgentOutcome = await agent.runAgent(message.task, host);
  send({ kind: "done", outcome });
}

function main(): void {
  const bundle = process.argv[2];
  if (!process.send || !bundle) {
    console.error("clade agent harness: started without an IPC channel or a bundle path.");
    process.exit(2);
  }
  const loading = load(bundle);
  process.on("message", (message: EngineToHarness) => {
    if (message.kind === "start") {
      start(loading, message).catch((error: unknown) => {
        const err = error instanceof Error ? error : new Error(String(error));
        send({ kind: "failed", message: err.message, stack: err.stack });
      });
    } else if (message.kind === "cancel") {
      abort.abort();
    } else {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (!waiter) return;
      if (message.kind === "error") waiter.reject(Object.assign(new Error(message.message), { reason: message.reason }));
      else waiter.resolve(message.result as never);
    }
  });
  send({ kind: "ready" });
}

main();
