// `clade status | archive | show N | diff N | accept N | revert N`: the workspace's archive of agent
// versions, read (and for accept/revert, written) in-process — no model needed.
import path from "node:path";
import type { Command } from "commander";
import { Archive } from "../../archive/archive";
import type { ArchiveNode } from "../../archive/types";
import { CladeError } from "../../../protocol/errors";
import { archiveFailures } from "../../train/recipes/archiveFailures";
import { printJson } from "../output";

interface WorkspaceOptions {
  workspace: string;
  json?: boolean;
}

function withWorkspace(command: Command): Command {
  return command.option("--workspace <dir>", "the workspace whose .clade/ holds the archive", process.cwd()).option("--json", "print JSON");
}

async function withArchive<T>(opts: WorkspaceOptions, write: boolean, run: (archive: Archive) => Promise<T>): Promise<T> {
  const archive = await Archive.open(path.resolve(opts.workspace), { readOnly: !write });
  try {
    return await run(archive);
  } finally {
    await archive.dispose();
  }
}

export function nodeSummary(archive: Archive, node: ArchiveNode) {
  const totals = archive.totals(node.id);
  return {
    id: node.id, parentId: node.parentId, status: node.status, statusReason: node.statusReason, origin: node.origin.kind, targetTask: node.origin.targetTask,
    passed: totals.passed, evaluated: totals.evaluations, score: totals.evaluations ? totals.passed / totals.evaluations : null,
    active: archive.activeNode()?.id === node.id, adapter: node.identity.adapterHash, createdAt: node.createdAt,
  };
}

export function registerArchiveCommands(program: Command): void {
  withWorkspace(program.command("status").description("The workspace's session: budget used, versions, the active and the best version."))
    .action((opts: WorkspaceOptions) => withArchive(opts, false, async (archive) => {
      const nodes = archive.nodes().map((n) => nodeSummary(archive, n));
      const scored = nodes.filter((n) => n.score !== null).sort((a, b) => b.score! - a.score! || b.evaluated - a.evaluated);
      const status = { session: archive.session(), usage: archive.usage(), budget: archive.searchBudget(), versions: nodes.length, invalid: nodes.filter((n) => n.status === "invalid").length, active: archive.activeNode()?.id ?? archive.root()?.id ?? null, best: scored[0] ?? null, running: { evaluations: archive.inFlightEvaluations().length, expansions: archive.inFlightExpansions().length } };
      if (opts.json) return printJson(status);
      console.log(`session ${status.session?.id ?? "—"} (${status.session?.config.strategy ?? "no session"} on ${status.session?.config.suite ?? "—"}): ${status.budget.used}/${status.budget.total} evaluations, ${status.versions} version${status.versions === 1 ? "" : "s"} (${status.invalid} invalid)`);
      console.log(`active: ${status.active ?? "—"}; best: ${status.best ? `${status.best.id} ${status.best.passed}/${status.best.evaluated}` : "—"}`);
    }));

  withWorkspace(program.command("failures").description("Failed runs clustered by signature (failing tests, error class, stop reason), worst failure rate first: what recipe `targeted` trains against."))
    .option("--node <id>", "one version's runs (default: every version's)")
    .action((opts: WorkspaceOptions & { node?: string }) => withArchive(opts, false, async (archive) => {
      if (opts.node && !archive.node(opts.node)) throw new CladeError("invalid-argument", `There is no version ${opts.node} in this archive.`, "Run `clade archive` to list the versions.");
      const failures = await archiveFailures(archive, opts.node);
      if (opts.json) return printJson(failures);
      console.log(`${failures.failed} of ${failures.runs} runs failed${failures.node ? ` (${failures.node})` : ""}${failures.unreadable ? `; ${failures.unreadable} trajectories unreadable` : ""}`);
      for (const c of failures.clusters) console.log(`${(100 * c.failureRate).toFixed(0).padStart(3)}%  ${c.failures}/${c.runs}  ${c.signature}  (${c.tasks.slice(0, 4).join(", ")}${c.tasks.length > 4 ? ", …" : ""})`);
    }));

  withWorkspace(program.command("archive").description("The archive tree of agent versions."))
    .action((opts: WorkspaceOptions) => withArchive(opts, false, async (archive) => {
      const nodes = archive.nodes().map((n) => nodeSummary(archive, n));
      if (opts.json) return printJson({ nodes, active: archive.activeNode()?.id ?? null });
      const children = (id: string | null) => nodes.filter((n) => n.parentId === id);
      const print = (node: (typeof nodes)[number], depth: number): void => {
        console.log(`${"  ".repeat(depth)}${node.id} [${node.status}${node.active ? ", active" : ""}] ${node.evaluated ? `${node.passed}/${node.evaluated}` : "not evaluated"}${node.statusReason ? ` — ${node.statusReason.split("\n")[0].slice(0, 80)}` : ""}`);
        for (const child of children(node.id)) print(child, depth + 1);
      };
      for (const root of children(null)) print(root, 0);
    }));

  withWorkspace(program.command("show <node>").description("One version: identity, origin (diagnosis), status, results per task, cost."))
    .action((id: string, opts: WorkspaceOptions) => withArchive(opts, false, async (archive) => {
      const node = archive.requireNode(id);
      const details = { ...nodeSummary(archive, node), commit: node.commit, identity: node.identity, origin: node.origin, cost: node.cost, totals: archive.totals(id), results: archive.results(id), otherRuns: archive.otherRuns(id), files: await archive.listFiles(id) };
      if (opts.json) return printJson(details);
      console.log(JSON.stringify({ ...details, results: details.results.map((r) => `${r.taskId}: ${r.passed ? "pass" : "fail"} (${r.stopReason})`), otherRuns: details.otherRuns.map((r) => `${r.suite}/${r.taskId}: ${r.passed ? "pass" : "fail"} (${r.stopReason}), not in the score`), files: details.files.map((f) => f.path) }, null, 2));
    }));

  withWorkspace(program.command("diff <node>").description("Unified diff of a version against its parent (or --against another)."))
    .option("--against <node>", "compare with this version instead of the parent")
    .action((id: string, opts: WorkspaceOptions & { against?: string }) => withArchive(opts, false, async (archive) => {
      const diff = await archive.diff(id, { against: opts.against, patch: true });
      if (opts.json) return printJson(diff);
      process.stdout.write(diff.patch ?? "");
      process.stderr.write(`${diff.files.length} file(s), +${diff.added} −${diff.removed} (${id} vs ${diff.against ?? "empty"})\n`);
    }));

  withWorkspace(program.command("accept <node>").description("Make a version the active agent (used by `clade run` by default). Undo with `clade revert`."))
    .action((id: string, opts: WorkspaceOptions) => withArchive(opts, true, async (archive) => {
      const previous = await archive.accept(id);
      if (opts.json) return printJson({ active: id, previous });
      console.log(`${id} is now the active agent (was ${previous ?? "the seed"}).`);
    }));

  withWorkspace(program.command("revert <node>").description("Mark a version reverted and return to the previously active one (history kept)."))
    .action((id: string, opts: WorkspaceOptions) => withArchive(opts, true, async (archive) => {
      const restored = await archive.revert(id);
      if (opts.json) return printJson({ reverted: id, active: restored });
      console.log(`${id} reverted; the active agent is ${restored ?? "the seed"}.`);
    }));
}
