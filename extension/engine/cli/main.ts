// The `clade` CLI: the same engine as the VS Code extension, driven from a terminal or a script.
// Every command that reports takes --json. Exit codes: 0 ok, 1 a reported problem, 2 usage, 3 a bug.
import { Command, CommanderError } from "commander";
import { CLADE_VERSION } from "../version";
import { registerAskCommands } from "./commands/askCommands";
import { registerArchiveCommands } from "./commands/archiveCommands";
import { registerArchiveCheckCommands } from "./commands/archiveCheckCommands";
import { registerBenchCommand } from "./commands/benchCommand";
import { registerDoctorCommand } from "./commands/doctorCommand";
import { registerEvolveCommand } from "./commands/evolveCommand";
import { registerChatCommand } from "./commands/chatCommand";
import { registerModelCommands } from "./commands/modelCommands";
import { registerQueueCommands } from "./commands/queueCommands";
import { registerRunCommand } from "./commands/runCommand";
import { registerTasksCommands } from "./commands/tasksCommands";
import { registerTrainCommand } from "./commands/trainCommand";
import { reportError } from "./output";

export function buildProgram(): Command {
  const program = new Command()
    .name("clade")
    .description("Clade: a local llama.cpp coding agent that improves its own scaffold, with every version tested and kept.")
    .version(CLADE_VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerModelCommands(program);
  registerChatCommand(program);
  registerRunCommand(program);
  registerAskCommands(program);
  registerTasksCommands(program);
  registerEvolveCommand(program);
  registerTrainCommand(program);
  registerQueueCommands(program);
  registerArchiveCommands(program);
  registerArchiveCheckCommands(program);
  registerBenchCommand(program);
  registerDoctorCommand(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    // A command that reports a problem without throwing (tasks check, asks apply) sets exitCode.
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    return reportError(error, argv.includes("--json"));
  }
}

process.exitCode = await main(process.argv);
