// A fixed set of context sequences shared by concurrent chat requests.
//
// - A request takes any free sequence; when none is free it waits, first come first served, and
//   can be cancelled while waiting.
// - A request with a sessionId pins a sequence to that session, so the next turn finds its KV cache
//   (the conversation prefix is not evaluated again). Turns of one session run one at a time.
// - A pinned but idle sequence is taken from its session only when a request finds nothing else
//   free (least recently used first); the session then starts over on another sequence.
// - Among free sequences, a request that says how well each one's cache fits it (`affinity`, e.g.
//   the length of the cached prefix its prompt shares) gets the best fit; ties go to the least
//   recently used. A sequence keeps its tokens after its session ends, so a new agent run lands
//   where the shared system prompt and tools are already evaluated.
import { CladeError, cancelledError } from "../../protocol/errors";

export interface SequenceLease<S> {
  readonly sequence: S;
  /** Index of the sequence in the pool (stable for a sessions's turns while it stays pinned). */
  readonly slot: number;
  release(): void;
}

interface Slot<S> {
  readonly sequence: S;
  readonly index: number;
  busy: boolean;
  sessionId?: string;
  lastUsed: number;
}

export type SequenceAffinity<S> = (sequence: S) => number;

interface Waiter<S> {
  sessionId?: string;
  affinity?: SequenceAffinity<S>;
  resolve(lease: SequenceLease<S>): void;
  reject(error: unknown): void;
  cleanup(): void;
}

export class SequencePool<S> {
  private readonly slots: Slot<S>[];
  private readonly waiters: Waiter<S>[] = [];
  private clock = 0;
  private disposed = false;

  constructor(sequences: readonly S[]) {
    if (sequences.length === 0) throw new Error("SequencePool needs at least one sequence");
    this.slots = sequences.map((sequence, index) => ({ sequence, index, busy: false, lastUsed: 0 }));
  }

  get size(): number {
    return this.slots.length;
  }

  get busy(): number {
    return this.slots.filter((slot) => slot.busy).length;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** The session a sequence is pinned to, by slot index (for tests and diagnostics). */
  sessionOf(slot: number): string | undefined {
    return this.slots[slot]?.sessionId;
  }

  /** Whether `sessionId` holds a sequence (its next turn goes there; no choice to make). */
  hasSession(sessionId: string | undefined): boolean {
    return sessionId !== undefined && this.slots.some((slot) => slot.sessionId === sessionId);
  }

  acquire(options: { sessionId?: string; signal?: AbortSignal; affinity?: SequenceAffinity<S> } = {}): Promise<SequenceLease<S>> {
    if (this.disposed) return Promise.reject(notLoaded());
    if (options.signal?.aborted) return Promise.reject(cancelledError("The chat request"));
    const slot = this.pick(options.sessionId, options.affinity);
    if (slot) return Promise.resolve(this.grant(slot, options.sessionId));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(cancelledError("The chat request"));
      };
      const waiter: Waiter<S> = {
        sessionId: options.sessionId,
        affinity: options.affinity,
        resolve,
        reject,
        cleanup: () => options.signal?.removeEventListener("abort", onAbort),
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Forgets a session: its sequence becomes an ordinary free one (the KV cache stays until reused). */
  endSession(sessionId: string): void {
    const slot = this.slots.find((candidate) => candidate.sessionId === sessionId);
    if (slot) slot.sessionId = undefined;
    this.serveWaiters();
  }

  /** Rejects every waiting request; sequences are disposed by the owner. */
  dispose(): void {
    this.disposed = true;
    for (const waiter of this.waiters.splice(0)) {
      waiter.cleanup();
      waiter.reject(notLoaded());
    }
  }

  private pick(sessionId: string | undefined, affinity?: SequenceAffinity<S>): Slot<S> | undefined {
    if (sessionId !== undefined) {
      const own = this.slots.find((slot) => slot.sessionId === sessionId);
      // One turn at a time per session: wait for its own sequence rather than take another.
      if (own) return own.busy ? undefined : own;
    }
    const idle = this.slots.filter((slot) => !slot.busy);
    const unpinned = idle.filter((slot) => slot.sessionId === undefined);
    if (unpinned.length > 0) {
      const fit = new Map(unpinned.map((slot) => [slot, affinity ? affinity(slot.sequence) : 0]));
      return unpinned.sort((a, b) => (fit.get(b) ?? 0) - (fit.get(a) ?? 0) || a.lastUsed - b.lastUsed)[0];
    }
    // Evict: the least recently used session, sparing sessions that have a turn waiting.
    const awaited = new Set(this.waiters.map((waiter) => waiter.sessionId));
    return idle.sort((a, b) => Number(awaited.has(a.sessionId)) - Number(awaited.has(b.sessionId)) || a.lastUsed - b.lastUsed)[0];
  }

  private grant(slot: Slot<S>, sessionId: string | undefined): SequenceLease<S> {
    if (sessionId !== undefined) {
      for (const other of this.slots) if (other !== slot && other.sessionId === sessionId) other.sessionId = undefined;
    }
    slot.busy = true;
    // A pinned sequence handed to another request loses its session (evicted).
    slot.sessionId = sessionId;
    slot.lastUsed = ++this.clock;
    let released = false;
    return {
      sequence: slot.sequence,
      slot: slot.index,
      release: () => {
        if (released) return;
        released = true;
        slot.busy = false;
        slot.lastUsed = ++this.clock;
        this.serveWaiters();
      },
    };
  }

  /** Serves waiters in arrival order; one that cannot be served yet does not block later ones. */
  private serveWaiters(): void {
    if (this.disposed) return;
    for (let i = 0; i < this.waiters.length; ) {
      const waiter = this.waiters[i];
      const slot = this.pick(waiter.sessionId, waiter.affinity);
      if (!slot) {
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      waiter.cleanup();
      waiter.resolve(this.grant(slot, waiter.sessionId));
    }
  }
}

function notLoaded(): CladeError {
  return new CladeError("model-not-loaded", "The model was unloaded before the chat request got a sequence.", "Load a model and send the request again.");
}
