// Resolves a path the model gave against the workspace and refuses anything that ends up outside
// it — by "..", by an absolute path, or through a symlink anywhere along the way — and any name
// holding control characters, invisible direction marks or the replacement glyph (such a name
// hides what it is from whoever reviews the change).
import fs from "node:fs/promises";
import path from "node:path";

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_NAME = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/;

export async function resolveInside(workspace: string, requested: string): Promise<string> {
  if (UNSAFE_NAME.test(requested)) {
    throw new Error(`Path ${JSON.stringify(requested)} holds control or invisible characters; use a plain file name.`);
  }
  const root = await fs.realpath(workspace);
  const target = path.resolve(root, requested);
  // Resolve the deepest part that exists; the rest (a file about to be created) is appended.
  let existing = target;
  const rest: string[] = [];
  for (;;) {
    try {
      existing = await fs.realpath(existing);
      break;
    } catch {
      rest.unshift(path.basename(existing));
      const parent = path.dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  const resolved = path.join(existing, ...rest);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) {
    throw new Error(`Path "${requested}" is outside the project; use a path inside it.`);
  }
  return resolved;
}

export function relativeName(workspace: string, absolute: string): string {
  return path.relative(workspace, absolute) || ".";
}
