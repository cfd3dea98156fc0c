// The archive graph feature: the "Clade: Open Archive Graph" command and the serializer that
// restores the panel after a window reload (the webview restores its own zoom and selection).
import * as vscode from "vscode";
import type { EngineManager } from "../engine/engineManager";
import { EngineGraphDataSource } from "./engineGraphDataSource";
import type { GraphDataSource } from "./graphDataSource";
import { GRAPH_VIEW_TYPE, GraphPanel } from "./graphPanel";

export const OPEN_GRAPH_COMMAND = "clade.openGraph";
/** The Review feature's diff command (takes a node id); used when it is registered. */
const SHOW_DIFF_COMMAND = "clade.showDiff";

/** vscode.diff through the Review feature's command when it is registered; false otherwise (the source falls back to the patch). */
async function reviewDiff(nodeId: string): Promise<boolean> {
  if (!(await vscode.commands.getCommands(true)).includes(SHOW_DIFF_COMMAND)) return false;
  await vscode.commands.executeCommand(SHOW_DIFF_COMMAND, nodeId);
  return true;
}

export interface GraphDeps {
  log: vscode.LogOutputChannel;
  engine: EngineManager;
  /** Where the graph reads the archive; default the engine's archive requests for the first workspace folder. */
  graphData?: GraphDataSource;
  /** Opens the diff of a version against its parent (the Review feature's command), if wired. */
  showNodeDiff?: (nodeId: string) => Promise<void>;
}

export function register(context: vscode.ExtensionContext, deps: GraphDeps): void {
  let source = deps.graphData;
  const getSource = (): GraphDataSource => {
    if (!source) {
      const openDiff = deps.showNodeDiff ? async (nodeId: string) => (await deps.showNodeDiff!(nodeId), true) : reviewDiff;
      const engineSource = new EngineGraphDataSource(deps.engine, () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, openDiff);
      context.subscriptions.push(engineSource);
      source = engineSource;
    }
    return source;
  };
  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_GRAPH_COMMAND, (nodeId?: unknown) => {
      const panel = GraphPanel.show(context.extensionUri, getSource(), deps.log);
      if (typeof nodeId === "string") panel.select(nodeId);
    }),
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
        GraphPanel.revive(panel, context.extensionUri, getSource(), deps.log);
      },
    }),
    { dispose: () => GraphPanel.disposeCurrent() },
  );
}
