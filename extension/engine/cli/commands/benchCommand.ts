// `clade bench NAME --json`: benchmarks that report ratios against a reference measured in the same
// run (BENCH.md). One JSON object per benchmark.
import type { Command } from "commander";
import { benchArchive } from "../../bench/benchArchive";
import { benchHarness } from "../../bench/benchHarness";
import type { BenchReport } from "../../bench/benchReport";
import { benchSearch } from "../../search/simulate/benchSearch";
import { printJson } from "../output";
import { intOption } from "../parse";

function print(reports: BenchReport[], json: boolean | undefined): void {
  if (json) {
    for (const report of reports) printJson(report);
    return;
  }
  for (const r of reports) {
    console.log(`${r.name}: measured ${r.measured} ${r.unit}, reference ${r.reference ?? "—"}, ratio ${r.ratio ?? "—"} (${r.repetitions} reps)${r.goal ? `; goal ${r.goal}` : ""}`);
  }
}

export function registerBenchCommand(program: Command): void {
  const bench = program.command("bench").description("Benchmarks, each reported as a ratio against a reference measured in the same run.");

  bench
    .command("harness")
    .description("Harness overhead of one task evaluation over the bare test command; sandbox create + cleanup time.")
    .option("--repetitions <n>", "interleaved repetitions", intOption("--repetitions", 1, 1000), 10)
    .option("--task <id>", "built-in task to evaluate", "t0-subtract-order")
    .option("--json", "print JSON")
    .action(async (opts: { repetitions: number; task: string; json?: boolean }) => print(await benchHarness({ repetitions: opts.repetitions, taskId: opts.task }), opts.json));

  bench
    .command("archive")
    .description("Replay of a 10,000-node archive, one parent selection, one fsync'd event append (absolute, with sizes).")
    .option("--nodes <n>", "archive size", intOption("--nodes", 10, 1_000_000), 10_000)
    .option("--json", "print JSON")
    .action(async (opts: { nodes: number; json?: boolean }) => print(await benchArchive({ nodes: opts.nodes }), opts.json));

  bench
    .command("search")
    .description("Task evaluations each search strategy needs to reach a target true quality on synthetic landscapes (no LLM), as a ratio to dgm.")
    .option("--seeds <n>", "landscapes (seeds)", intOption("--seeds", 1, 100_000), 200)
    .option("--json", "print JSON")
    .action(async (opts: { seeds: number; json?: boolean }) => {
      const result = benchSearch({ seeds: opts.seeds });
      if (opts.json) return printJson(result);
      console.log(JSON.stringify(result, null, 2));
    });
}
