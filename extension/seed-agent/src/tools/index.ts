// The tool set offered for a task.
import type { AgentTask } from "../host";
import { runCommand, runTests, finish } from "./commandTools";
import { editFile, writeFile } from "./editTools";
import { listFiles, readFile, searchCode } from "./fileTools";
import type { Tool } from "./types";

export function toolsFor(task: AgentTask): Tool[] {
  const tools = [listFiles, readFile, searchCode, editFile, writeFile];
  if (task.testCommand) tools.push(runTests);
  if (task.allowCommands) tools.push(runCommand);
  tools.push(finish);
  return tools;
}
