// The archive graph app: the graph, the details pane and the score chart, wired to the host.
import type { GraphNodeDetails, GraphTree } from "../extension/protocol/webview";
import { HostConnection, HostRequestError, type VsCodeApi } from "./hostConnection";
import { scoreSeries } from "./model/scoreSeries";
import { parseUiState, type UiState } from "./uiState";
import { createButton } from "./ui/toolkit";
import { renderDetails } from "./view/detailsPanel";
import { clear, htmlElement, svgElement } from "./view/dom";
import { GraphView } from "./view/graphView";
import { drawScoreChart } from "./view/scoreChart";

/** Name of the performance measure taken around each tree render (read by the benchmark). */
export const RENDER_MEASURE = "clade-graph-render";

export class GraphApp {
  private readonly connection: HostConnection;
  private readonly graph: GraphView;
  private readonly details = htmlElement("aside", { class: "details-pane", "aria-live": "polite" });
  private readonly chart = svgElement("svg", { class: "score-chart", role: "img" });
  private readonly status = htmlElement("p", { class: "status", role: "status" });
  private state: UiState;
  private firstTree = true;
  private detailsRequest = 0;

  constructor(root: HTMLElement, api: VsCodeApi) {
    this.state = parseUiState(api.getState());
    const graphPane = htmlElement("div", { class: "graph-pane" });
    const help = htmlElement("p", { class: "help" }, ["Arrows: follow the tree · Enter: details · +/−: zoom · 0: fit · Shift+arrows or drag: pan"]);
    root.append(
      htmlElement("header", { class: "toolbar" }, [htmlElement("h1", {}, ["Archive graph"]), this.status, help]),
      graphPane,
      this.details,
      htmlElement("section", { class: "chart-pane" }, [htmlElement("h3", {}, ["Score over evaluations"]), this.chart]),
    );
    this.graph = new GraphView(graphPane, {
      onSelect: (id) => this.showDetails(id),
      onTransform: (transform) => this.save({ transform }),
      onFocus: () => undefined,
    });
    this.connection = new HostConnection(api, { tree: (tree) => this.setTree(tree), select: (id) => (this.graph.select(id), this.showDetails(id)) });
    this.showPlaceholder("Select a version to see its details.");
    this.connection.ready();
  }

  setTree(tree: GraphTree): void {
    const start = performance.now();
    this.graph.setTree(tree);
    drawScoreChart(this.chart, scoreSeries(tree));
    const best = tree.nodes.length ? `${tree.nodes.length} version${tree.nodes.length === 1 ? "" : "s"}` : "No versions yet: start a self-improvement session.";
    this.status.textContent = tree.budget ? `${best} · ${tree.budget.used}/${tree.budget.total} evaluations` : best;
    if (this.firstTree) {
      this.firstTree = false;
      if (this.state.transform) this.graph.setTransform(this.state.transform, false);
      else this.graph.fit();
      if (this.state.selectedId) this.restoreSelection(this.state.selectedId);
    } else if (this.state.selectedId) {
      this.refreshDetails(this.state.selectedId);
    }
    performance.measure(RENDER_MEASURE, { start, end: performance.now() });
  }

  private restoreSelection(id: string): void {
    this.graph.select(id, false);
    this.showDetails(id);
  }

  private refreshDetails(id: string): void {
    if (this.details.querySelector(".details")) void this.loadDetails(id, false);
  }

  private showDetails(id: string): void {
    this.save({ selectedId: id });
    void this.loadDetails(id, true);
  }

  private async loadDetails(id: string, showLoading: boolean): Promise<void> {
    const request = ++this.detailsRequest;
    if (showLoading) this.showPlaceholder(`Loading ${id}…`);
    try {
      const details: GraphNodeDetails = await this.connection.request("details", { nodeId: id });
      if (request !== this.detailsRequest) return;
      clear(this.details);
      this.details.appendChild(renderDetails(details, {
        accept: (nodeId) => void this.act("accept", nodeId),
        revert: (nodeId) => void this.act("revert", nodeId),
        showDiff: (nodeId) => void this.act("showDiff", nodeId),
      }, createButton));
    } catch (error) {
      if (request === this.detailsRequest) this.showError(error);
    }
  }

  private async act(method: "accept" | "revert" | "showDiff", nodeId: string): Promise<void> {
    try {
      await this.connection.request(method, { nodeId });
    } catch (error) {
      this.showError(error);
    }
  }

  private showPlaceholder(text: string): void {
    clear(this.details);
    this.details.appendChild(htmlElement("p", { class: "muted" }, [text]));
  }

  private showError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const fix = error instanceof HostRequestError && error.fix ? error.fix : undefined;
    const box = htmlElement("div", { class: "error", role: "alert" }, [htmlElement("p", {}, [message]), ...(fix ? [htmlElement("p", {}, [`Fix: ${fix}`])] : [])]);
    this.details.prepend(box);
  }

  private save(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch };
    this.connection?.api.setState(this.state);
  }

  dispose(): void {
    this.connection.dispose();
    this.graph.dispose();
  }
}
