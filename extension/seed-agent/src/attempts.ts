// Another attempt after a failed one (settings.extraAttempts): when the agent calls finish, the
// task's tests decide whether the run ends; if they fail, the agent is shown their output.
import { clip } from "./context";
import type { AgentHost, AgentTask } from "./host";
import { nudges } from "./prompts";
import { settings } from "./settings";

/** The feedback for another attempt, or undefined when the run ends (tests pass, none, or no attempt left). */
export async function anotherAttempt(task: AgentTask, host: AgentHost, turn: number, attempt: number): Promise<string | undefined> {
  if (attempt > settings.extraAttempts || !task.testCommand) return undefined;
  const result = await host.exec(task.testCommand);
  if (result.exitCode === 0) return undefined;
  const feedback = nudges.testsStillFail(clip(result.output).text);
  host.record({ type: "attempt", turn, attempt: attempt + 1, feedback });
  return feedback;
}
