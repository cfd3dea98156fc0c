// `clade failures`: the failed runs of a version (or of every version) clustered by signature
// (failureSignature.ts), worst failure rate first — what recipe `targeted` trains against.
import type { Archive } from "../../archive/archive";
import { readTrajectory } from "../readTrajectory";
import { failureSignature } from "./failureSignature";
import { clusterFailures, type FailureCluster, type Trajectory } from "./recipes";

export interface ArchiveFailures {
  node: string | null;
  runs: number;
  failed: number;
  /** Failed runs whose trajectory could not be read (their signature is the archive's stop reason). */
  unreadable: number;
  clusters: FailureCluster[];
}

export async function archiveFailures(archive: Archive, nodeId?: string): Promise<ArchiveFailures> {
  const records = nodeId ? archive.results(nodeId) : archive.nodes().flatMap((n) => archive.results(n.id));
  const trajectories: Trajectory[] = [];
  let unreadable = 0;
  for (const record of records) {
    let signature: string | undefined;
    if (!record.passed) {
      try {
        signature = failureSignature(await readTrajectory(record.trajectory));
      } catch {
        unreadable++;
      }
      signature ??= `stopped: ${record.stopReason}`;
    }
    trajectories.push({ task: record.taskId, steps: [], passed: record.passed, ...(signature ? { signature } : {}) });
  }
  return { node: nodeId ?? null, runs: records.length, failed: trajectories.filter((t) => !t.passed).length, unreadable, clusters: clusterFailures(trajectories) };
}
