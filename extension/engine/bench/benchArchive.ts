// `clade bench archive` (BENCH.md): absolute times, with sizes, on a synthetic archive whose log is
// written directly (no git commits): the replay of the whole log on open; one parent selection on
// it (the search view + ArchiveIndex + the strategy, as the evolve loop calls it after each event);
// one event append with fdatasync.
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Archive } from "../archive/archive";
import { archivePaths } from "../archive/archivePaths";
import { writeSyntheticLog, type SyntheticLogInfo } from "../archive/syntheticLog";
import { ArchiveIndex } from "../search/archiveIndex";
import { createStrategy } from "../search/createStrategy";
import { dgmParentSelector } from "../search/parentSelectors";
import { createRng } from "../search/rng";
import { median, round, type BenchReport } from "./benchReport";

export interface BenchArchiveOptions {
  /** Nodes in the synthetic archive (default 10,000). */
  readonly nodes?: number;
  /** Mean finished evaluations per node (default 5). */
  readonly evaluationsPerNode?: number;
  readonly repetitions?: number;
  readonly seed?: number;
}

const quantile = (values: readonly number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

export async function benchArchive(options: BenchArchiveOptions = {}): Promise<BenchReport[]> {
  const nodes = options.nodes ?? 10_000;
  const repetitions = options.repetitions ?? 7;
  const seed = options.seed ?? 1;
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), "clade-bench-archive-"));
  try {
    const paths = archivePaths(workspace);
    await fs.mkdir(paths.dir, { recursive: true });
    const log = await writeSyntheticLog(paths.log, { nodes, evaluationsPerNode: options.evaluationsPerNode, seed });
    const inputs = { nodes, events: log.events, logBytes: log.bytes, evaluations: log.evaluations, seed, node: process.version };
    const { replay, parseFloor } = await benchReplay(workspace, repetitions, log);
    const archive = await Archive.open(workspace);
    try {
      const selection = await benchSelection(archive, Math.max(repetitions, 25), seed);
      const append = await benchAppend(archive, Math.max(repetitions, 50));
      return [
        {
          name: "archive-replay", ratio: null, reference: null, measured: round(median(replay), 1), unit: "ms", repetitions, goal: "≤ 300 ms", inputs,
          details: {
            samplesMs: replay.map((v) => round(v, 1)),
            // The floor on this machine: reading the file and JSON.parse of every line, nothing else.
            jsonParseFloorMs: round(median(parseFloor), 1),
            overOpenFloor: round(median(replay) / median(parseFloor), 2),
          },
        },
        { name: "archive-selection", ratio: null, reference: null, ...selection, goal: "≤ 5 ms", inputs },
        { name: "archive-append", ratio: null, reference: null, ...append, inputs: { ...inputs, tmpdir: os.tmpdir() } },
      ];
    } finally {
      await archive.dispose();
    }
  } finally {
    await fs.rm(workspace, { recursive: true, force: true });
  }
}

/**
 * Archive.open, read-only (read the log, parse, shape-check, replay into the state), interleaved
 * with the bare floor: reading the same file and JSON.parse of each line (results dropped).
 */
async function benchReplay(workspace: string, repetitions: number, log: SyntheticLogInfo): Promise<{ replay: number[]; parseFloor: number[] }> {
  const replay: number[] = [];
  const parseFloor: number[] = [];
  const file = archivePaths(workspace).log;
  for (let i = 0; i <= repetitions; i++) {
    let started = performance.now();
    const archive = await Archive.open(workspace, { readOnly: true });
    const elapsed = performance.now() - started;
    const count = archive.nodes().length;
    await archive.dispose();
    if (count !== log.nodes || archive.problems.length) throw new Error(`bench archive: replay gave ${count} nodes and ${archive.problems.length} problems`);
    started = performance.now();
    let parsed = 0;
    for (const line of (await fs.readFile(file, "utf8")).split("\n")) if (line && JSON.parse(line)) parsed++;
    const floor = performance.now() - started;
    if (parsed !== log.events) throw new Error("bench archive: the parse floor read the wrong number of lines");
    if (i > 0) {
      replay.push(elapsed); // the first round warms the JIT
      parseFloor.push(floor);
    }
  }
  return { replay, parseFloor };
}

/**
 * One parent selection as the evolve loop does it: an evaluation is recorded (not timed), then the
 * search view is rebuilt (only the changed node's snapshot is new), the strategy's index updated and
 * a parent drawn. Reported: HGM's `next` (Thompson sampling over 10,000 nodes) and DGM's k=2 draw.
 */
async function benchSelection(archive: Archive, repetitions: number, seed: number): Promise<Pick<BenchReport, "measured" | "unit" | "repetitions" | "details">> {
  const rng = createRng(seed);
  const hgm = createStrategy("hgm");
  const dgm = dgmParentSelector();
  const index = new ArchiveIndex();
  const cold = performance.now();
  hgm.next(archive.searchView(), archive.searchBudget(), rng);
  const coldMs = performance.now() - cold;
  const hgmMs: number[] = [];
  const dgmMs: number[] = [];
  const working = archive.nodes().filter((n) => n.status !== "invalid");
  for (let i = 0; i < repetitions; i++) {
    const node = working[rng.int(working.length)];
    const runId = `bench-${i}`;
    await archive.recordEvaluationFinished(node.id, { runId, taskId: `t${i % 60}`, passed: i % 2 === 0, usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 }, wallMs: 1, modelMs: 1, turns: 1, stopReason: "finished", trajectory: "" });
    let started = performance.now();
    const action = hgm.next(archive.searchView(), archive.searchBudget(), rng);
    hgmMs.push(performance.now() - started);
    if (action.kind !== "expand" && action.kind !== "evaluate") throw new Error(`bench archive: hgm answered ${action.kind}`);
    started = performance.now();
    const parents = dgm.select(index.update(archive.searchView()), 2, rng);
    dgmMs.push(performance.now() - started);
    if (parents.length !== 2) throw new Error("bench archive: dgm drew no parents");
  }
  const measured = Math.max(median(hgmMs), median(dgmMs));
  return {
    measured: round(measured, 2), unit: "ms (the slower of hgm next() and dgm k=2 selection, median)", repetitions,
    details: {
      hgmNextMedianMs: round(median(hgmMs), 3), hgmNextP90Ms: round(quantile(hgmMs, 0.9), 3),
      dgmSelectMedianMs: round(median(dgmMs), 3), dgmSelectP90Ms: round(quantile(dgmMs, 0.9), 3),
      firstSelectionMs: round(coldMs, 2),
    },
  };
}

/** recordEvaluationStarted: check, write, fdatasync, apply; resolved means on disk. */
async function benchAppend(archive: Archive, repetitions: number): Promise<Pick<BenchReport, "measured" | "unit" | "repetitions" | "details">> {
  const node = archive.nodes().find((n) => n.status !== "invalid")!;
  const samples: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    await archive.recordEvaluationStarted(node.id, `t${i % 60}`, `bench-append-${i}`);
    samples.push(performance.now() - started);
  }
  return { measured: round(median(samples), 3), unit: "ms (one event: write + fdatasync)", repetitions, details: { p90Ms: round(quantile(samples, 0.9), 3), samplesMs: samples.map((v) => round(v, 3)) } };
}
