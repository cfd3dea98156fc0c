// Tools that look at files: list_files, read_file, search_code.
import fs from "node:fs/promises";
import path from "node:path";
import { resolveInside } from "./paths";
import { numberArg, stringArg, type Tool } from "./types";

const IGNORED = new Set(["node_modules", ".git"]);

export async function walkFiles(root: string, limit: number): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (found.length >= limit || IGNORED.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await visit(full);
      else if (entry.isFile()) found.push(path.relative(root, full));
    }
  };
  await visit(root);
  return found;
}

export const listFiles: Tool = {
  definition: {
    name: "list_files",
    description: "List the files under a directory of the project (default: the whole project).",
    parameters: { type: "object", properties: { dir: { type: "string" } } },
  },
  async run(args, { task }) {
    const dir = await resolveInside(task.workspace, stringArg(args, "dir", true) || ".");
    const files = await walkFiles(dir, 500);
    return { ok: true, output: files.join("\n") || "(no files)" };
  },
};

export const readFile: Tool = {
  definition: {
    name: "read_file",
    description: "Read a file. Optional 1-based line range start_line..end_line. Lines come numbered.",
    parameters: { type: "object", properties: { path: { type: "string" }, start_line: { type: "integer" }, end_line: { type: "integer" } }, required: ["path"] },
  },
  async run(args, { task }) {
    const file = await resolveInside(task.workspace, stringArg(args, "path"));
    const lines = (await fs.readFile(file, "utf8")).split("\n");
    const start = Math.max(1, numberArg(args, "start_line") ?? 1);
    const end = Math.min(lines.length, numberArg(args, "end_line") ?? lines.length);
    const shown = lines.slice(start - 1, end).map((line, i) => `${String(start + i).padStart(4)} ${line}`);
    return { ok: true, output: shown.join("\n") || "(empty file)" };
  },
};

export const searchCode: Tool = {
  definition: {
    name: "search_code",
    description: "Find lines containing a text in the project's files.",
    parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  },
  async run(args, { task }) {
    const needle = stringArg(args, "text");
    if (!needle) return { ok: false, output: "Give a non-empty text to search for." };
    const hits: string[] = [];
    for (const name of await walkFiles(task.workspace, 2000)) {
      const content = await fs.readFile(path.join(task.workspace, name), "utf8").catch(() => "");
      content.split("\n").forEach((line, i) => {
        if (hits.length < 100 && line.includes(needle)) hits.push(`${name}:${i + 1}: ${line.trim()}`);
      });
    }
    return { ok: true, output: hits.join("\n") || `No line contains "${needle}".` };
  },
};
