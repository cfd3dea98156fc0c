// Tools that change files: write_file (whole file) and edit_file (exact search/replace, with a
// whitespace-tolerant retry). Each has only required arguments: a tool-call grammar may force every
// listed key, and an optional whole-file `content` on edit_file turned every edit into a rewrite.
// Small models get search/replace wrong more often than whole-file writes, so both stay.
import fs from "node:fs/promises";
import path from "node:path";
import { resolveInside } from "./paths";
import { stringArg, type Tool } from "./types";

export const writeFile: Tool = {
  definition: {
    name: "write_file",
    description: "Create or replace a whole file with the given content.",
    parameters: { type: "object", properties: { path: { type: "string" }, content: { type: "string" } }, required: ["path", "content"] },
  },
  async run(args, { task }) {
    const file = await resolveInside(task.workspace, stringArg(args, "path"));
    const content = stringArg(args, "content");
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
    return { ok: true, output: `Wrote ${stringArg(args, "path")} (${content.split("\n").length} lines).` };
  },
};

export const editFile: Tool = {
  definition: {
    name: "edit_file",
    description: "Replace the exact text `search` (copied from the file, a few whole lines) with `replace` in a file.",
    parameters: {
      type: "object",
      properties: { path: { type: "string" }, search: { type: "string" }, replace: { type: "string" } },
      required: ["path", "search", "replace"],
    },
  },
  async run(args, context) {
    const file = await resolveInside(context.task.workspace, stringArg(args, "path"));
    const search = stringArg(args, "search");
    const replace = stringArg(args, "replace", true);
    const before = await fs.readFile(file, "utf8");
    const after = applyEdit(before, search, replace);
    if (after === undefined) {
      return { ok: false, output: `The search text was not found in ${stringArg(args, "path")}. Read the file again and copy the lines exactly, or replace the whole file with write_file.` };
    }
    await fs.writeFile(file, after);
    return { ok: true, output: `Edited ${stringArg(args, "path")}.` };
  },
};

/** Exact replacement of the first match; failing that, a match that ignores indentation and trailing spaces. */
export function applyEdit(text: string, search: string, replace: string): string | undefined {
  if (search && text.includes(search)) return text.replace(search, () => replace);
  const norm = (line: string) => line.trim();
  const lines = text.split("\n");
  const wanted = search.split("\n").map(norm).filter((line, i, all) => line || (i > 0 && i < all.length - 1));
  if (!wanted.length) return undefined;
  for (let start = 0; start + wanted.length <= lines.length; start++) {
    if (wanted.every((line, i) => norm(lines[start + i]) === line)) {
      return [...lines.slice(0, start), replace, ...lines.slice(start + wanted.length)].join("\n");
    }
  }
  return undefined;
}
