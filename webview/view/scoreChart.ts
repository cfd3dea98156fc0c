// The session's score over evaluations, drawn as plain SVG by this module (no chart library):
// one dot per evaluated version and the best-so-far step line. Theme colours via graph.css.
import type { ScoreSeries } from "../model/scoreSeries";
import { clear, svgElement } from "./dom";

const WIDTH = 320;
const HEIGHT = 120;
const PAD = { left: 30, right: 8, top: 8, bottom: 20 };

export function drawScoreChart(svg: SVGSVGElement, series: ScoreSeries): void {
  clear(svg);
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const sx = (evaluation: number) => PAD.left + (evaluation / series.maxEvaluation) * plotW;
  const sy = (score: number) => PAD.top + (1 - score) * plotH;
  svg.appendChild(svgElement("path", { class: "axis", d: `M${PAD.left},${PAD.top}V${PAD.top + plotH}H${PAD.left + plotW}` }));
  for (const tick of [0, 0.5, 1]) {
    svg.appendChild(svgElement("text", { class: "tick", x: PAD.left - 4, y: sy(tick) + 3, "text-anchor": "end" }, `${tick * 100}%`));
  }
  svg.appendChild(svgElement("text", { class: "tick", x: PAD.left + plotW, y: HEIGHT - 4, "text-anchor": "end" }, `${series.maxEvaluation} evaluations`));
  if (series.best.length) {
    let d = `M${sx(series.best[0].evaluation)},${sy(series.best[0].score)}`;
    for (const step of series.best.slice(1)) d += `H${sx(step.evaluation)}V${sy(step.score)}`;
    svg.appendChild(svgElement("path", { class: "best-line", d }));
  }
  const dots = svgElement("g", { class: "points" });
  for (const point of series.points) {
    const dot = svgElement("circle", { cx: sx(point.evaluation), cy: sy(point.score), r: 2.5 });
    dot.appendChild(svgElement("title", {}, `${point.nodeId}: ${Math.round(point.score * 100)}% at ${point.evaluation} evaluations`));
    dots.appendChild(dot);
  }
  svg.appendChild(dots);
  const last = series.best[series.best.length - 1];
  svg.setAttribute("aria-label", last ? `Best score ${Math.round(last.score * 100)}% after ${last.evaluation} evaluations` : "No evaluations yet");
}
