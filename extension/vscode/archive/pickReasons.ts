// Why a version cannot be accepted or reverted, said to the user instead of an empty pick list
// (pure: no `vscode` import).
import type { NodeSummary } from "../../protocol/archive";

/** null when `node` can be accepted; else why not. */
export function acceptRefusal(node: NodeSummary): string | null {
  if (node.status === "invalid") return `invalid — ${node.statusReason?.split("\n")[0] ?? "it failed the gate"}`;
  if (node.active) return "already the active version";
  return null;
}

/**
 * null when `node` can be reverted; else why not. `accepted` is the archive's accepted version
 * (null: none was, the root is in use by default and has nothing before it to go back to).
 */
export function revertRefusal(node: NodeSummary, accepted: string | null): string | null {
  if (node.id !== accepted) {
    return node.active && accepted === null ? "the root version, in use because nothing was accepted: there is nothing before it to go back to" : "not the active version (only the active version is reverted)";
  }
  return null;
}

/** The message when nothing can be picked: each version with its reason (at most `max` listed). */
export function nothingToPick(action: "accept" | "revert", nodes: readonly NodeSummary[], why: (n: NodeSummary) => string | null, max = 6): { message: string; fix: string } {
  if (!nodes.length) return { message: "This workspace's archive has no versions yet.", fix: "Run \"Clade: Start Self-Improvement Session…\" first." };
  const lines = nodes.slice(0, max).map((n) => `${n.id}: ${why(n)}`);
  const more = nodes.length > max ? `; and ${nodes.length - max} more` : "";
  return {
    message: `No version can be ${action === "accept" ? "accepted" : "reverted"} — ${lines.join("; ")}${more}.`,
    fix: action === "accept" ? "Run a session until a version passes its gate, then accept it." : "Accept a version first; revert then returns to the one active before it.",
  };
}
