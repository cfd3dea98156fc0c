// The interactive archive graph: renders a tree, keeps zoom/pan and the focused node across live
// updates, and turns mouse and keyboard input into selection, navigation, zoom and pan.
//   click / Enter / Space on a node: select it (opens details)   arrows: follow tree edges
//   wheel / drag: zoom / pan   + − : zoom   0: fit   Shift+arrows: pan
import type { GraphTree } from "../../extension/protocol/webview";
import { layoutGraph, type GraphLayout } from "../model/graphLayout";
import { isNavigationKey, navigate } from "../model/keyboardNavigation";
import { bestNodeId } from "../model/nodeAppearance";
import { ensureVisible, fitTransform, panBy, zoomAt, type ViewTransform } from "../model/viewTransform";
import { clear, svgElement } from "./dom";
import { NODE_RADIUS, renderGraph, type RenderedGraph } from "./graphRenderer";

/** Below this scale labels are hidden (virtualized by CSS): they would overlap anyway. */
const LABEL_MIN_SCALE = 0.6;
const PAN_STEP = 60;

export interface GraphViewCallbacks {
  onSelect(nodeId: string): void;
  onTransform(transform: ViewTransform): void;
  onFocus(nodeId: string | null): void;
}

export class GraphView {
  readonly svg: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private readonly content: SVGGElement;
  /** One ring each, moved to the focused / selected node (not one per node: fewer elements). */
  private readonly focusRing = svgElement("circle", { class: "ring focus-ring", r: NODE_RADIUS + 9, visibility: "hidden" });
  private readonly selectionRing = svgElement("circle", { class: "ring selection-ring", r: NODE_RADIUS + 9, visibility: "hidden" });
  private layout: GraphLayout = layoutGraph([]);
  private rendered: RenderedGraph | null = null;
  private transform: ViewTransform = { k: 1, x: 0, y: 0 };
  private focusedId: string | null = null;
  private selectedId: string | null = null;
  private drag: { x: number; y: number; moved: boolean } | null = null;
  private readonly abort = new AbortController();

  constructor(container: HTMLElement, private readonly callbacks: GraphViewCallbacks) {
    this.svg = svgElement("svg", { class: "graph-canvas", role: "tree", "aria-label": "Archive of agent versions", tabindex: 0 });
    this.viewport = svgElement("g", { class: "viewport" });
    this.content = svgElement("g", { class: "content" });
    this.viewport.append(this.content, this.selectionRing, this.focusRing);
    this.svg.appendChild(this.viewport);
    container.appendChild(this.svg);
    this.listen();
  }

  get nodeCount(): number {
    return this.layout.nodes.size;
  }

  /** Lays out and redraws the whole tree (live updates call this again; zoom and focus stay). */
  setTree(tree: GraphTree): void {
    this.layout = layoutGraph(tree.nodes);
    this.rendered = renderGraph(this.layout, bestNodeId(tree.nodes));
    clear(this.content);
    this.content.appendChild(this.rendered.root);
    if (this.focusedId && !this.layout.nodes.has(this.focusedId)) this.focusedId = null;
    this.updateRovingFocus(false);
    if (this.selectedId && !this.layout.nodes.has(this.selectedId)) this.selectedId = null;
    this.markSelected(this.selectedId);
  }

  setTransform(transform: ViewTransform, notify = true): void {
    this.transform = transform;
    this.viewport.setAttribute("transform", `translate(${transform.x},${transform.y}) scale(${transform.k})`);
    this.svg.classList.toggle("labels-hidden", transform.k < LABEL_MIN_SCALE);
    if (notify) this.callbacks.onTransform(transform);
  }

  fit(): void {
    const { width, height } = this.size();
    this.setTransform(fitTransform(this.layout.bounds, width, height));
  }

  /** Selects (and focuses) a node, panning it into view. */
  select(nodeId: string, moveFocus = true): void {
    if (!this.layout.nodes.has(nodeId)) return;
    this.selectedId = nodeId;
    this.markSelected(nodeId);
    this.focusNode(nodeId, moveFocus);
  }

  dispose(): void {
    this.abort.abort();
    this.svg.remove();
  }

  private size(): { width: number; height: number } {
    const rect = this.svg.getBoundingClientRect();
    return { width: rect.width || 800, height: rect.height || 600 };
  }

  private markSelected(nodeId: string | null): void {
    for (const element of this.content.querySelectorAll('.node[aria-selected="true"]')) element.setAttribute("aria-selected", "false");
    this.rendered?.elements.get(nodeId ?? "")?.setAttribute("aria-selected", "true");
    this.placeRing(this.selectionRing, nodeId);
  }

  private placeRing(ring: SVGCircleElement, nodeId: string | null): void {
    const p = nodeId ? this.layout.nodes.get(nodeId) : undefined;
    ring.setAttribute("visibility", p ? "visible" : "hidden");
    if (p) ring.setAttribute("transform", `translate(${p.x},${p.y})`);
  }

  private focusNode(nodeId: string, moveFocus: boolean): void {
    this.focusedId = nodeId;
    const p = this.layout.nodes.get(nodeId);
    if (p) {
      const { width, height } = this.size();
      const next = ensureVisible(this.transform, p.x, p.y, width, height);
      if (next !== this.transform) this.setTransform(next);
    }
    this.updateRovingFocus(moveFocus);
    this.callbacks.onFocus(nodeId);
  }

  /** One tab stop: the focused node (or the canvas when there is none). */
  private updateRovingFocus(moveFocus: boolean): void {
    for (const element of this.content.querySelectorAll('.node[tabindex="0"]')) element.setAttribute("tabindex", "-1");
    const element = this.focusedId ? this.rendered?.elements.get(this.focusedId) : undefined;
    this.placeRing(this.focusRing, element ? this.focusedId : null);
    this.svg.setAttribute("tabindex", element ? "-1" : "0");
    if (!element) return;
    element.setAttribute("tabindex", "0");
    if (moveFocus) element.focus();
  }

  private nodeIdAt(target: EventTarget | null): string | null {
    const element = target instanceof Element ? target.closest(".node") : null;
    return element?.getAttribute("data-id") ?? null;
  }

  private listen(): void {
    const options = { signal: this.abort.signal };
    this.svg.addEventListener("click", (event) => {
      const id = this.nodeIdAt(event.target);
      if (id && !this.drag?.moved) {
        this.select(id);
        this.callbacks.onSelect(id);
      }
    }, options);
    this.svg.addEventListener("keydown", (event) => this.onKey(event), options);
    this.svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const rect = this.svg.getBoundingClientRect();
      this.setTransform(zoomAt(this.transform, Math.exp(-event.deltaY * 0.002), event.clientX - rect.left, event.clientY - rect.top));
    }, { ...options, passive: false });
    this.svg.addEventListener("pointerdown", (event) => {
      this.drag = { x: event.clientX, y: event.clientY, moved: false };
    }, options);
    this.svg.addEventListener("pointermove", (event) => {
      if (!this.drag || !(event.buttons & 1)) return;
      const dx = event.clientX - this.drag.x;
      const dy = event.clientY - this.drag.y;
      if (!this.drag.moved && Math.hypot(dx, dy) < 3) return;
      if (!this.drag.moved) this.svg.setPointerCapture(event.pointerId);
      this.drag = { x: event.clientX, y: event.clientY, moved: true };
      this.setTransform(panBy(this.transform, dx, dy));
    }, options);
    // The click that ends a drag comes after pointerup: clear the drag state only after it.
    this.svg.addEventListener("pointerup", () => setTimeout(() => (this.drag = null), 0), options);
  }

  private onKey(event: KeyboardEvent): void {
    const { width, height } = this.size();
    const key = event.key;
    if (event.shiftKey && key.startsWith("Arrow")) {
      const [dx, dy] = { ArrowLeft: [PAN_STEP, 0], ArrowRight: [-PAN_STEP, 0], ArrowUp: [0, PAN_STEP], ArrowDown: [0, -PAN_STEP] }[key as "ArrowLeft"] ?? [0, 0];
      this.setTransform(panBy(this.transform, dx, dy));
    } else if (isNavigationKey(key)) {
      const next = navigate(this.layout, this.focusedId, key);
      if (next) this.focusNode(next, true);
    } else if ((key === "Enter" || key === " ") && this.focusedId) {
      this.select(this.focusedId);
      this.callbacks.onSelect(this.focusedId);
    } else if (key === "+" || key === "=") {
      this.setTransform(zoomAt(this.transform, 1.25, width / 2, height / 2));
    } else if (key === "-" || key === "_") {
      this.setTransform(zoomAt(this.transform, 0.8, width / 2, height / 2));
    } else if (key === "0") {
      this.fit();
    } else {
      return;
    }
    event.preventDefault();
  }
}
