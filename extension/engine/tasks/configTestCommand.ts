// Reads `testCommand:` from a workspace's .clade/config.yaml (the user's test command for
// mined repo tasks and a default for tasks.yaml).
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CladeError } from "../../protocol/errors";

export async function configTestCommand(workspace: string): Promise<string | undefined> {
  const file = path.join(workspace, ".clade", "config.yaml");
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new CladeError("invalid-settings", `${file} is not valid YAML: ${(error as Error).message}`, "Fix the YAML syntax in .clade/config.yaml.", undefined, { cause: error });
  }
  if (doc === null || doc === undefined) return undefined;
  const value = (doc as Record<string, unknown>).testCommand;
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new CladeError("invalid-settings", `${file}: testCommand must be a non-empty string.`, 'Write it as `testCommand: "npm test"`.');
  }
  return value;
}
