// What the graph panel needs from the rest of the extension. The host wires it to the engine's
// archive requests; tests pass a fake. No `vscode` import.
import type { GraphNodeDetails, GraphTree } from "../../protocol/webview";

export interface GraphDataSource {
  tree(): Promise<GraphTree>;
  details(nodeId: string): Promise<GraphNodeDetails>;
  accept(nodeId: string): Promise<{ active: string | null }>;
  revert(nodeId: string): Promise<{ active: string | null }>;
  /** Opens the diff against the parent in an editor (vscode.diff over clade-node: documents). */
  showDiff(nodeId: string): Promise<void>;
  /** Fires whenever the archive changes (a node added or evaluated, accept, revert). */
  onDidChange(listener: () => void): { dispose(): void };
}
