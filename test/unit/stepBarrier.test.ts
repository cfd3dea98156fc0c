// The step barrier that keeps one context's generations in step (engine/model/stepBarrier.ts):
// arrivals wait for every joined generation, a generation alone never waits, leaving releases the
// others, and a generation still evaluating its prompt (not joined) holds nobody back.
import { describe, expect, it } from "vitest";
import { BarrierStep, StepBarrier } from "../../extension/engine/model/stepBarrier";

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
};

describe("StepBarrier", () => {
  it("lets a generation alone go on at once", async () => {
    const barrier = new StepBarrier();
    const step = new BarrierStep(barrier);
    expect(await settled(step.next())).toBe(true);
    expect(barrier.size).toBe(1);
    step.done();
    expect(barrier.size).toBe(0);
  });

  it("releases arrivals only when every joined generation has arrived", async () => {
    const barrier = new StepBarrier();
    const a = new BarrierStep(barrier);
    const b = new BarrierStep(barrier);
    const c = new BarrierStep(barrier);
    expect(await settled(a.next())).toBe(true); // a alone so far
    const bFirst = b.next(); // b joins: 2 joined, b waits for a
    expect(await settled(bFirst)).toBe(false);
    const aSecond = a.next();
    expect(await settled(aSecond)).toBe(true);
    expect(await settled(bFirst)).toBe(true);
    const cFirst = c.next(); // 3 joined now
    const aThird = a.next();
    expect(await settled(cFirst)).toBe(false);
    expect(await settled(aThird)).toBe(false);
    const bSecond = b.next();
    expect(await settled(Promise.all([cFirst, aThird, bSecond]))).toBe(true);
  });

  it("a generation that stops releases the ones waiting for it, and done() twice leaves once", async () => {
    const barrier = new StepBarrier();
    const a = new BarrierStep(barrier);
    const b = new BarrierStep(barrier);
    await a.next();
    const bWaits = b.next();
    expect(await settled(bWaits)).toBe(false);
    a.done();
    a.done();
    expect(barrier.size).toBe(1);
    expect(await settled(bWaits)).toBe(true);
    expect(await settled(b.next())).toBe(true); // alone again
  });

  it("does nothing without a barrier (a one-sequence context)", async () => {
    const step = new BarrierStep(undefined);
    expect(await settled(step.next())).toBe(true);
    step.done();
  });
});
