// The agent's entry point: the harness imports runAgent from here.
export { runAgent } from "./loop";
export type { AgentHost, AgentOutcome, AgentTask } from "./host";
