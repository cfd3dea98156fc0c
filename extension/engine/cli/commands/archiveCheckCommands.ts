// `clade archive check` and `clade archive repair`: subcommands of `clade archive` (which still
// prints the tree, with --json). check is read-only and exits 1 (a CladeError) when it finds an error; repair
// rewrites the log with the lines that replay (backup kept), marks nodes whose files are lost
// invalid, restores missing branches, and prints what it did.
import path from "node:path";
import type { Command } from "commander";
import { CladeError } from "../../../protocol/errors";
import { checkArchiveFully, repairArchive, type ArchiveCheckReport } from "../../archive/repair";
import { printJson } from "../output";

interface Options {
  workspace?: string;
  json?: boolean;
}

function printCheck(report: ArchiveCheckReport): void {
  for (const p of report.problems) console.log(`${p.severity === "error" ? "error  " : "warning"} ${p.message}`);
  const errors = report.problems.filter((p) => p.severity === "error").length;
  console.log(`${report.ok ? "archive OK" : "archive has problems"}: ${report.nodes} version${report.nodes === 1 ? "" : "s"}, ${report.evaluations} evaluations, ${errors} error(s), ${report.problems.length - errors} warning(s).`);
}

/** Exit code 1 through the CLI's error path (main() owns the exit code); with --json the report is in details. */
function failed(report: ArchiveCheckReport, what: string): CladeError {
  const errors = report.problems.filter((p) => p.severity === "error");
  return new CladeError("archive-corrupt", `${what}: ${errors.length} error(s), first: ${errors[0]?.message ?? "?"}`, "Run `clade archive repair`: it keeps every valid event and version and sets the rest aside (the old log is backed up).", { report });
}

/** Adds check and repair under the existing `archive` command (call after registerArchiveCommands). */
export function registerArchiveCheckCommands(program: Command): void {
  const archive = program.commands.find((c) => c.name() === "archive");
  if (!archive) throw new Error("registerArchiveCheckCommands: register the `archive` command first.");
  // The parent's --workspace/--json also apply when given after the subcommand name.
  const workspaceOf = (opts: Options) => path.resolve(opts.workspace ?? archive.opts<Options>().workspace ?? process.cwd());
  const json = (opts: Options) => Boolean(opts.json ?? archive.opts<Options>().json);

  archive.command("check").description("Check the archive: the event log, every version's commit, branch and files.")
    .option("--workspace <dir>", "the workspace whose .clade/ holds the archive")
    .option("--json", "print JSON")
    .action(async (opts: Options) => {
      const report = await checkArchiveFully(workspaceOf(opts));
      if (!report.ok && json(opts)) throw failed(report, "The archive has problems");
      if (json(opts)) return printJson(report);
      printCheck(report);
      if (!report.ok) throw failed(report, "The archive has problems");
    });

  archive.command("repair").description("Repair the archive: keep every valid event and version, set aside what is broken (the old log is backed up).")
    .option("--workspace <dir>", "the workspace whose .clade/ holds the archive")
    .option("--json", "print JSON")
    .action(async (opts: Options) => {
      const report = await repairArchive(workspaceOf(opts));
      if (!report.after.ok && json(opts)) throw failed(report.after, "The archive still has problems after repair");
      if (json(opts)) return printJson(report);
      if (report.backup) console.log(`log rewritten: kept ${report.keptLines} lines, dropped ${report.droppedLines.length}; the original is at ${report.backup}`);
      for (const d of report.droppedLines) console.log(`  dropped line ${d.line}: ${d.reason}`);
      if (report.nodesMarkedInvalid.length) console.log(`marked invalid (files lost): ${report.nodesMarkedInvalid.join(", ")}`);
      if (report.branchesRestored.length) console.log(`branches restored: ${report.branchesRestored.join(", ")}`);
      if (!report.backup && !report.nodesMarkedInvalid.length && !report.branchesRestored.length) console.log("nothing to repair.");
      printCheck(report.after);
      if (!report.after.ok) throw failed(report.after, "The archive still has problems after repair");
    });
}
