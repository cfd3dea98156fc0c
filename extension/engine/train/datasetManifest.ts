// The record written next to a training dataset: where every example came from (and why every
// other run was left out), the token counts, the hashes that identify the data and the model, and
// the chat wrapper the text was rendered with. Deterministic: the same inputs give the same file.

/** What became of one trajectory. */
export type SourceStatus =
  | "train"
  | "held-out"
  /** The hidden tests failed (only passing runs are trained on: filtered SFT). */
  | "failed"
  /** No `end` record: the run crashed or is still running. */
  | "unfinished"
  | "no-model-call"
  /** An identical example (same tokens and mask) came from another run. */
  | "duplicate"
  /**
   * Longer than maxTokens + 1 tokens even with every early turn cut: dropped. (A longer example is
   * first shortened by cutting whole early turns after the task, as the agent's own context budget
   * does at inference; `cutTurns` says how many. Its task and its ending are never cut.)
   */
  | "too-long"
  | "unreadable"
  /** The chat wrapper does not render the conversation append-only; see `reason`. */
  | "unrenderable";

export interface DatasetSource {
  file: string;
  status: SourceStatus;
  runId?: string;
  taskId?: string;
  versionId?: string;
  tokens?: number;
  maskedTokens?: number;
  /** Early assistant turns (with their tool results) cut to fit the window. */
  cutTurns?: number;
  /** sha256 of the example's tokens and mask. */
  exampleSha256?: string;
  /** For duplicates: the file whose example was kept. */
  duplicateOf?: string;
  reason?: string;
}

export interface DatasetPart {
  file: string;
  /** sha256 of the file as written. */
  sha256: string;
  examples: number;
  tokens: number;
  /** Tokens with mask 1 (the model's own replies and ends of turn). */
  maskedTokens: number;
}

export interface DatasetManifest {
  version: 1;
  /** Line format: {"tokens": [...], "mask": [...]} as native-models/trainer reads it. */
  format: "clade-lora-jsonl";
  /** sha256 of the training file: the dataset's identity. */
  datasetHash: string;
  model: { file: string; sha256: string; chatWrapper: string; functionCalling: boolean; vocabularySize: number };
  options: { heldOutFraction: number; seed: number; maxTokens: number; overLength: "cut-early-turns"; imitate?: "finished" };
  /** Examples that were shortened by cutting early turns, and the turns cut in all. */
  cut?: { examples: number; turns: number };
  train: DatasetPart;
  heldOut: DatasetPart;
  counts: Record<SourceStatus, number> & { trajectories: number; passed: number };
  sources: DatasetSource[];
}

const statuses: SourceStatus[] = ["train", "held-out", "failed", "unfinished", "no-model-call", "duplicate", "too-long", "unreadable", "unrenderable"];

export function countSources(sources: readonly DatasetSource[]): DatasetManifest["counts"] {
  const counts = Object.fromEntries(statuses.map((status) => [status, 0])) as Record<SourceStatus, number>;
  for (const source of sources) counts[source.status]++;
  const passed = sources.length - counts.failed - counts.unfinished - counts.unreadable;
  return { trajectories: sources.length, passed, ...counts };
}
