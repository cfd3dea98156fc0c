// A synthetic task family for the closed-loop demonstration: "open the file named X", answered by
// choosing one of the listed files. Exactly one option is right per task (the named one), the rule
// is learnable and never stated as an answer, and every file name is one token of the model, so a
// grammar restricted to the options is a choice among single tokens.
import { CladeError } from "../../protocol/errors";
import { createRng, hash32 } from "../search/rng";

export interface ChoiceTask {
  /** Unique per task: the named file and the options in their order. */
  key: string;
  prompt: string;
  /** The option texts as generated (with their leading space). */
  options: string[];
  answer: number;
}

/** File names that are single tokens (with a leading space) in the generated test model's vocabulary. */
export const CHOICE_NAMES = [" main", " test", " data", " model", " path", " value", " error", " count"];

export function choiceTaskKey(named: number, options: readonly number[]): string {
  return `${named}:${options.join(",")}`;
}

/**
 * `count` distinct tasks drawn by `seed`, none of whose keys is in `exclude` (to keep held-out
 * tasks apart from training tasks). Each shows `optionCount` of CHOICE_NAMES in random order.
 */
export function makeChoiceTasks(count: number, seed: number, optionCount = 4, exclude: ReadonlySet<string> = new Set()): ChoiceTask[] {
  if (!(optionCount >= 2 && optionCount <= CHOICE_NAMES.length)) {
    throw new CladeError("invalid-argument", `optionCount must be from 2 to ${CHOICE_NAMES.length}, got ${optionCount}.`, "Pass e.g. 4.");
  }
  const rng = createRng(hash32(seed, 0xc401ce));
  const tasks: ChoiceTask[] = [];
  const seen = new Set(exclude);
  for (let tries = 0; tasks.length < count; tries++) {
    if (tries > count * 1000) throw new CladeError("invalid-argument", `Only ${tasks.length} distinct tasks could be drawn, ${count} were asked for.`, "Ask for fewer tasks or more options.");
    const pool = CHOICE_NAMES.map((_, i) => i);
    const options: number[] = [];
    while (options.length < optionCount) options.push(pool.splice(Math.floor(rng.next() * pool.length), 1)[0]);
    const answer = Math.floor(rng.next() * optionCount);
    const key = choiceTaskKey(options[answer], options);
    if (seen.has(key)) continue;
    seen.add(key);
    const names = options.map((i) => CHOICE_NAMES[i]);
    tasks.push({ key, prompt: `Files:${names.join("")}.\nTask: open the file${names[answer]}.\nOpen:`, options: names, answer });
  }
  return tasks;
}
