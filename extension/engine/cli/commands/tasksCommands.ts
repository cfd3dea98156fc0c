// `clade tasks list | check --suite S`: what a suite holds, and proof that each task is valid
// (its reference solution passes the hidden tests and its starting state fails them).
import path from "node:path";
import type { Command } from "commander";
import { checkSuite } from "../../tasks/checkSuite";
import { listTasks } from "../../tasks/listTasks";
import { createProgress, printJson } from "../output";
import { intOption } from "../parse";

interface SuiteCliOptions {
  suite: string;
  workspace: string;
  testCommand?: string;
  json?: boolean;
}

function suiteOptions(command: Command): Command {
  return command
    .requiredOption("--suite <suite>", "builtin, a Polyglot-format folder, repo:PATH, or yaml (the workspace's .clade/tasks.yaml) / a tasks.yaml path")
    .option("--workspace <dir>", "the workspace (for yaml suites and .clade/config.yaml)", process.cwd())
    .option("--test-command <cmd>", "test command for repo: suites (default: .clade/config.yaml testCommand)")
    .option("--json", "print JSON");
}

function openOptions(opts: SuiteCliOptions) {
  return { workspace: path.resolve(opts.workspace), testCommand: opts.testCommand };
}

export function registerTasksCommands(program: Command): void {
  const tasks = program.command("tasks").description("Task suites: list them, and check that every task is valid.");

  suiteOptions(tasks.command("list").description("List the tasks of a suite.")).action(async (opts: SuiteCliOptions) => {
    const listing = await listTasks(opts.suite, openOptions(opts));
    if (opts.json) return printJson(listing);
    console.log(`${listing.suite} (${listing.kind}): ${listing.tasks.length} tasks, hash ${listing.hash.slice(0, 12)}`);
    for (const task of listing.tasks) console.log(`  ${(task.tier ?? "").padEnd(3)} ${task.id.padEnd(32)} ${task.title}`);
    if (listing.skipped.length) {
      console.log(`${listing.skipped.length} candidate${listing.skipped.length === 1 ? " was" : "s were"} not made tasks:`);
      for (const skip of listing.skipped) console.log(`  ${skip.item}: ${skip.reason}`);
    }
  });

  suiteOptions(tasks.command("check").description("Prove each task: the reference passes its hidden tests and the starting state fails them."))
    .option("--task <id...>", "only these tasks")
    .option("--concurrency <n>", "tasks checked in parallel", intOption("--concurrency", 1, 64), 2)
    .action(async (opts: SuiteCliOptions & { task?: string[]; concurrency: number }) => {
      const progress = createProgress(!opts.json);
      const check = await checkSuite(opts.suite, openOptions(opts), {
        ids: opts.task,
        concurrency: opts.concurrency,
        onProgress: (p) => progress.update({ title: "Checking tasks", done: p.done, total: p.total, percentage: (100 * p.done) / Math.max(1, p.total), message: p.item }),
      });
      progress.stop();
      if (opts.json) printJson(check);
      else {
        for (const result of check.tasks.filter((t) => !t.valid)) console.log(`INVALID ${result.id}: ${result.problems.join("; ")}`);
        console.log(`${check.suite}: ${check.valid} valid, ${check.invalid} invalid`);
      }
      if (check.invalid > 0) process.exitCode = 1;
    });
}
