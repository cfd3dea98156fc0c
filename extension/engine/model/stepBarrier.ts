// Keeps the token generations of one context's sequences in step, so their tokens share decode
// batches.
//
// node-llama-cpp decodes whatever is queued the moment a batch's tokens are sampled. A sequence whose
// consumer has not asked for its next token yet misses that batch; once two sequences are out of
// phase, each one's token is queued while the other's batch decodes, and they never share a batch
// again. Measured in `clade bench inference` (toy model, P = 4): the engine decoded mostly one
// sequence per batch while two were generating (PERFORMANCE.md, "`clade bench inference` again").
//
// Each generation joins once it has its first token (a sequence still evaluating its prompt does not
// hold the others back), arrives after each token it goes on from, and leaves when it stops. Arrivals
// wait until every joined generation has arrived; then all ask for their next tokens in the same tick
// and land in one batch. A generation alone never waits.
export class StepBarrier {
  private joined = 0;
  private waiting: (() => void)[] = [];

  /** Joins; the returned function leaves (idempotent). */
  join(): () => void {
    this.joined++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.joined--;
      this.releaseIfAllArrived();
    };
  }

  /** Resolves when every joined generation has arrived (at once when this one is alone). */
  arrive(): Promise<void> {
    if (this.joined <= 1 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.releaseIfAllArrived();
    });
  }

  /** Generations joined now (for tests). */
  get size(): number {
    return this.joined;
  }

  private releaseIfAllArrived(): void {
    if (this.waiting.length === 0 || this.waiting.length < this.joined) return;
    const released = this.waiting;
    this.waiting = [];
    for (const resolve of released) resolve();
  }
}

/** One generation's use of a barrier: join at its first token, arrive after each, leave at the end. */
export class BarrierStep {
  private leave: (() => void) | undefined;

  constructor(private readonly barrier: StepBarrier | undefined) {}

  /** After a token the generation goes on from. */
  async next(): Promise<void> {
    if (!this.barrier) return;
    this.leave ??= this.barrier.join();
    await this.barrier.arrive();
  }

  /** When the generation stops (also on errors and aborts). */
  done(): void {
    this.leave?.();
    this.leave = undefined;
  }
}
