// The evaluation queue's pure parts: job ids, Redis URLs, which workers count, why none takes the
// jobs; the session setting; and the Sessions view's queue row.
import { describe, expect, it } from "vitest";
import { evalJobId, idleReason, liveWorkers, queueName, redisConnection, type WorkerInfo } from "../../extension/engine/queue/evalQueue";
import { remoteText } from "../../extension/engine/evolve/evolveService";
import { liveRow } from "../../extension/vscode/session/sessionPresentation";
import { sessionParams } from "../../extension/vscode/session/sessionSettings";

const worker = (over: Partial<WorkerInfo>): WorkerInfo => ({ id: "box:1:a", host: "box", pid: 1, build: "0.1.0+abc", modelHash: "m1", model: "Qwen", queue: queueName("0.1.0+abc", "m1"), concurrency: 1, done: 0, heartbeat: 1_000_000, ...over });

describe("evaluation queue", () => {
  it("names one queue per (build, model) and one job per attempt, without the ':' BullMQ reserves", () => {
    expect(queueName("0.1.0+abc", "m1")).toMatch(/^clade-eval-[0-9a-f]{16}$/);
    expect(queueName("0.1.0+abc", "m1")).not.toBe(queueName("0.1.0+abd", "m1"));
    expect(queueName("0.1.0+abc", "m1")).not.toBe(queueName("0.1.0+abc", "m2"));
    const id = evalJobId({ commit: "0123456789abcdef0123", taskId: "t0-default-port", runId: "ab12cd34" });
    expect(id).toBe("0123456789abcdef.t0-default-port.ab12cd34");
    expect(id).not.toContain(":");
  });

  it("parses redis:// URLs and refuses others with the fix", () => {
    expect(redisConnection("redis://gpu-box:6380/2")).toMatchObject({ host: "gpu-box", port: 6380, db: 2, maxRetriesPerRequest: null });
    expect(redisConnection("redis://:secret@127.0.0.1")).toMatchObject({ host: "127.0.0.1", port: 6379, password: "secret" });
    expect(() => redisConnection("http://127.0.0.1:6379")).toThrow(/not a redis:\/\/ URL/);
  });

  it("counts only workers that heartbeat recently, and says why none can take a session's jobs", () => {
    const now = 1_010_000;
    const entries = { a: JSON.stringify(worker({ id: "a" })), b: JSON.stringify(worker({ id: "b", heartbeat: 900_000 })), c: "not json" };
    expect(liveWorkers(entries, now).map((w) => w.id)).toEqual(["a"]);
    const q = queueName("0.1.0+abc", "m1");
    expect(idleReason([worker({})], q, "0.1.0+abc", "m1")).toBeUndefined();
    expect(idleReason([], q, "0.1.0+abc", "m1")).toMatch(/no worker is connected/);
    expect(idleReason([worker({ build: "0.1.0+old", queue: "other" })], q, "0.1.0+abc", "m1")).toMatch(/none can take these jobs: box:1:a \(Clade 0\.1\.0\+old, this session 0\.1\.0\+abc\)/);
    expect(idleReason([worker({ modelHash: "m2", model: "Llama", queue: "other" })], q, "0.1.0+abc", "m1")).toMatch(/model Llama m2, this session's m1/);
  });

  it("clade.session.queue must be a redis:// URL; it reaches the session's parameters", () => {
    expect(sessionParams({ queue: " redis://127.0.0.1:6379 " }, {}, "/ws", true).queue).toBe("redis://127.0.0.1:6379");
    expect(sessionParams({ queue: "" }, {}, "/ws", true)).not.toHaveProperty("queue");
    expect(() => sessionParams({ queue: "localhost:6379" }, {}, "/ws", true)).toThrow(/clade\.session\.queue.*not a redis:\/\/ URL/);
  });

  it("shows the remote work in the progress text and the Sessions view", () => {
    const counts = { queue: "clade-eval-x", waiting: 3, active: 2, workers: 2, done: 5 };
    expect(remoteText(counts)).toBe("3 waiting, 2 running on 2 workers, 5 done");
    const params = sessionParams({ queue: "redis://q:6379" }, {}, "/ws", true);
    const row = liveRow({ state: "running", params, startedAt: 0, progress: { done: 5, total: 20, queue: counts } }, undefined, 1000);
    expect(row.children?.find((c) => c.id === "live.queue")).toMatchObject({ description: "3 waiting · 2 running on 2 workers · 5 done", icon: "server-process" });
    const idle = liveRow({ state: "running", params, startedAt: 0, progress: { queue: { ...counts, workers: 0, idle: "no worker is connected" } } }, undefined, 1000);
    expect(idle.children?.find((c) => c.id === "live.queue")).toMatchObject({ icon: "warning", tooltip: "No worker takes these jobs: no worker is connected" });
  });
});
