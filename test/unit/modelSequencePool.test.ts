// The sequence pool's scheduling rules, with plain objects standing in for context sequences.
import { describe, expect, it } from "vitest";
import { CladeError } from "../../extension/protocol/errors";
import { SequencePool, type SequenceLease } from "../../extension/engine/model/sequencePool";

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function tracked(promise: Promise<SequenceLease<string>>) {
  const state: { lease?: SequenceLease<string>; error?: unknown } = {};
  promise.then(
    (lease) => (state.lease = lease),
    (error: unknown) => (state.error = error),
  );
  return state;
}

describe("SequencePool", () => {
  it("hands out free sequences, then queues requests first come first served", async () => {
    const pool = new SequencePool(["s0", "s1"]);
    const a = await pool.acquire();
    const b = await pool.acquire();
    expect(new Set([a.sequence, b.sequence])).toEqual(new Set(["s0", "s1"]));
    const c = tracked(pool.acquire());
    const d = tracked(pool.acquire());
    await settle();
    expect(pool.waiting).toBe(2);
    expect(c.lease ?? d.lease).toBeUndefined();
    b.release();
    await settle();
    expect(c.lease?.sequence).toBe(b.sequence);
    expect(d.lease).toBeUndefined();
    a.release();
    await settle();
    expect(d.lease?.sequence).toBe(a.sequence);
    expect(pool.waiting).toBe(0);
  });

  it("lets a waiting request be cancelled, and the queue moves on without it", async () => {
    const pool = new SequencePool(["s0"]);
    const held = await pool.acquire();
    const controller = new AbortController();
    const cancelled = tracked(pool.acquire({ signal: controller.signal }));
    const next = tracked(pool.acquire());
    controller.abort();
    await settle();
    expect(CladeError.is(cancelled.error, "cancelled")).toBe(true);
    held.release();
    await settle();
    expect(next.lease?.sequence).toBe("s0");
  });

  it("keeps a session on its sequence and runs its turns one at a time", async () => {
    const pool = new SequencePool(["s0", "s1"]);
    const turn1 = await pool.acquire({ sessionId: "a" });
    turn1.release();
    const other = await pool.acquire();
    expect(other.sequence).not.toBe(turn1.sequence); // the free unpinned one, not the session's
    const turn2 = await pool.acquire({ sessionId: "a" });
    expect(turn2.sequence).toBe(turn1.sequence);
    const turn3 = tracked(pool.acquire({ sessionId: "a" }));
    other.release();
    await settle();
    expect(turn3.lease).toBeUndefined(); // waits for its own sequence even though s1 is free
    turn2.release();
    await settle();
    expect(turn3.lease?.sequence).toBe(turn1.sequence);
  });

  it("evicts an idle session only when nothing else is free, least recently used first", async () => {
    const pool = new SequencePool(["s0", "s1"]);
    const a = await pool.acquire({ sessionId: "a" });
    a.release();
    const b = await pool.acquire({ sessionId: "b" });
    b.release();
    expect([pool.sessionOf(0), pool.sessionOf(1)].sort()).toEqual(["a", "b"]);
    const anonymous = await pool.acquire();
    expect(anonymous.sequence).toBe(a.sequence); // "a" was used longest ago
    expect(pool.sessionOf(anonymous.slot)).toBeUndefined();
    anonymous.release();
    const b2 = await pool.acquire({ sessionId: "b" });
    expect(b2.sequence).toBe(b.sequence); // "b" kept its sequence
    b2.release();
  });

  it("endSession frees the pin; dispose rejects waiters with model-not-loaded", async () => {
    const pool = new SequencePool(["s0"]);
    const a = await pool.acquire({ sessionId: "a" });
    a.release();
    pool.endSession("a");
    expect(pool.sessionOf(0)).toBeUndefined();
    const held = await pool.acquire();
    const waiter = tracked(pool.acquire());
    pool.dispose();
    await settle();
    expect(CladeError.is(waiter.error, "model-not-loaded")).toBe(true);
    held.release();
    await expect(pool.acquire()).rejects.toSatisfy((error: unknown) => CladeError.is(error, "model-not-loaded"));
  });

  it("ignores a second release of the same lease", async () => {
    const pool = new SequencePool(["s0"]);
    const a = await pool.acquire();
    a.release();
    const b = await pool.acquire();
    a.release(); // stale: must not free b's sequence
    expect(pool.busy).toBe(1);
    b.release();
    expect(pool.busy).toBe(0);
  });
});
