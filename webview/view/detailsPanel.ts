// The details of one version: scores per task, diff summary, tokens, diagnosis, and the Accept /
// Revert / Show Diff buttons. Every string from the repo is set as text (see dom.ts).
import { markedPath } from "../../extension/protocol/displayText";
import type { GraphNodeDetails } from "../../extension/protocol/webview";
import type { ButtonFactory } from "../ui/toolkit";
import { displayStatus, formatScore } from "../model/nodeAppearance";
import { htmlElement } from "./dom";

export interface DetailsActions {
  accept(nodeId: string): void;
  revert(nodeId: string): void;
  showDiff(nodeId: string): void;
}

function field(label: string, value: string): HTMLElement {
  return htmlElement("div", { class: "field" }, [htmlElement("dt", {}, [label]), htmlElement("dd", {}, [value])]);
}

function section(title: string, ...content: Node[]): HTMLElement {
  return htmlElement("section", {}, [htmlElement("h3", {}, [title]), ...content]);
}

function taskList(details: GraphNodeDetails): HTMLElement {
  if (!details.tasks.length) return htmlElement("p", { class: "muted" }, ["No evaluations yet."]);
  const rows = details.tasks.map((t) =>
    htmlElement("tr", { class: t.passed === t.evaluated ? "pass" : t.passed ? "partial" : "fail" }, [
      htmlElement("td", {}, [t.taskId]),
      htmlElement("td", { class: "num" }, [`${t.passed}/${t.evaluated}`]),
    ]),
  );
  return htmlElement("table", { class: "tasks" }, [htmlElement("tbody", {}, rows)]);
}

function diffSummary(details: GraphNodeDetails): HTMLElement {
  const diff = details.diff;
  if (!diff) return htmlElement("p", { class: "muted" }, ["No diff (the root version)."]);
  const files = diff.files.map((f) => htmlElement("li", {}, [htmlElement("span", { class: "path" }, [markedPath(f.path)]), ` +${f.added} −${f.removed}`]));
  return htmlElement("div", {}, [
    htmlElement("p", {}, [`${diff.files.length} file(s), +${diff.added} −${diff.removed} vs ${diff.against ?? "empty"}`]),
    htmlElement("ul", { class: "files" }, files),
  ]);
}

/** Builds the details content for one version (detached; the caller mounts it). */
export function renderDetails(details: GraphNodeDetails, actions: DetailsActions, button: ButtonFactory): HTMLElement {
  const { node } = details;
  const status = displayStatus(node);
  const buttons = htmlElement("div", { class: "actions" }, [
    button("Accept", { appearance: "primary", disabled: node.active || node.status !== "evaluated", title: "Make this version the active agent", onClick: () => actions.accept(node.id) }),
    button("Revert", { disabled: !node.active, title: "Mark this version reverted and return to the previous active one", onClick: () => actions.revert(node.id) }),
    button("Show Diff", { disabled: node.parentId === null, title: "Open the diff against the parent version", onClick: () => actions.showDiff(node.id) }),
  ]);
  const facts = htmlElement("dl", {}, [
    field("Status", node.statusReason ? `${status}: ${node.statusReason.split("\n")[0]}` : status),
    field("Score", formatScore(node)),
    field("Origin", node.origin),
    field("Parent", node.parentId ?? "—"),
    field("Target task", node.targetTask ?? "—"),
    field("Tokens", `${details.tokens.evaluation.toLocaleString("en-US")} evaluating, ${details.tokens.creation.toLocaleString("en-US")} creating`),
  ]);
  const diagnosis = htmlElement("pre", { class: "diagnosis" }, [details.diagnosis ?? details.problemStatement ?? "—"]);
  return htmlElement("article", { class: "details", "aria-label": `Version ${node.id}` }, [
    htmlElement("h2", {}, [node.id]),
    buttons,
    facts,
    section("Scores per task", taskList(details)),
    section("Diff vs parent", diffSummary(details)),
    section("Diagnosis", diagnosis),
  ]);
}
