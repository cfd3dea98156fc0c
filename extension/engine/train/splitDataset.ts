// Dataset hygiene, model-free: identical examples counted once, a deterministic train / held-out
// split by run (a seeded hash of the run's identity, so the same runs always land on the same
// side whatever order they come in), and the JSONL lines the trainer reads.
import { createHash } from "node:crypto";
import type { MaskedExample } from "./maskedExample";

export interface Keyed {
  /** The run's identity (version, task, run id): what the split is decided on. */
  key: string;
  /** sha256 of the example's tokens and mask: what duplicates are found by. */
  hash: string;
}

export function exampleHash(example: MaskedExample): string {
  return createHash("sha256").update(JSON.stringify([example.tokens, example.mask])).digest("hex");
}

/** The trainer's line format (native-models/trainer/README.md): {"tokens": [...], "mask": [...]}. */
export function exampleLine(example: MaskedExample): string {
  return JSON.stringify({ tokens: example.tokens, mask: example.mask });
}

/** Keeps the first of every set of identical examples, in key order (so which one is kept does not depend on input order). */
export function dedupe<T extends Keyed>(items: readonly T[]): { kept: T[]; duplicates: { item: T; of: T }[] } {
  const byHash = new Map<string, T>();
  const duplicates: { item: T; of: T }[] = [];
  for (const item of [...items].sort((a, b) => compare(a.key, b.key))) {
    const first = byHash.get(item.hash);
    if (first) duplicates.push({ item, of: first });
    else byHash.set(item.hash, item);
  }
  return { kept: [...byHash.values()], duplicates };
}

/**
 * Orders runs by sha256(seed, key) and puts the first round(n * fraction) into held-out: at
 * least one when the fraction is above 0 and there are two runs or more, never all of them.
 * Both parts keep that seeded order (the order the files are written in).
 */
export function splitByRun<T extends Keyed>(items: readonly T[], heldOutFraction: number, seed: number): { train: T[]; heldOut: T[] } {
  const score = (item: T) => createHash("sha256").update(`${seed}\0${item.key}`).digest("hex");
  const ordered = items.map((item) => ({ item, score: score(item) })).sort((a, b) => compare(a.score, b.score) || compare(a.item.key, b.item.key));
  const n = ordered.length;
  const held = heldOutFraction <= 0 || n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * heldOutFraction)));
  return { heldOut: ordered.slice(0, held).map((x) => x.item), train: ordered.slice(held).map((x) => x.item) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
