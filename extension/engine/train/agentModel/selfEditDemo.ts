// The self-improvement the agent TEST model is trained to make (a SCRIPTED oracle's choices, played
// through the real runner, diagnosis and self-edit code so that the trajectories carry the real
// prompts). The seed agent's search_code matches case-sensitively, so on t1-request-timeout
// ("raise the request timeout") a search for "timeout" finds nothing (the code says
// requestTimeoutMs) and the agent gives up. The diagnosis names that; the self-edit makes search_code
// ignore case; the child then finds the setting and passes. The T0 tasks never search, so their
// prompts are the same under the seed and the child: the child does at least as well on them.
//
// What the test model learns here is a script, not a skill: it shows that a session through real
// inference can grow, gate, select, accept and train on a better version, not that a model can
// find such an improvement on its own.
import type { ScriptedReply } from "../../agent/scriptedProvider";
import type { Diagnosis } from "../../evolve/diagnosis";

/** The task the seed fails and the child passes (a built-in T1 task). */
export const WEAKNESS_TASK = "t1-request-timeout";

/** The tasks of the demo session: three T0 tasks (its gate tasks) and the weakness task: with a budget of 20, DGM's staged evaluation (capped at 4 per version) runs every version on all four. */
export const DEMO_SESSION_TASKS = ["t0-default-port", "t0-log-level", "t0-subtract-order", WEAKNESS_TASK];

const search = { toolCall: { name: "search_code", arguments: { text: "timeout" } } } satisfies ScriptedReply;

/** The seed on the weakness task: the search finds nothing, and it gives up. */
export const weaknessUnderSeed: ScriptedReply[] = [
  search,
  { toolCall: { name: "finish", arguments: { summary: "No timeout setting found in this project." } } },
];

/** The child on the weakness task: the search finds the setting, one edit, done. */
export const weaknessUnderChild: ScriptedReply[] = [
  search,
  { toolCall: { name: "edit_file", arguments: { path: "src/settings.mjs", search: "requestTimeoutMs: 1000,", replace: "requestTimeoutMs: 5000," } } },
  { toolCall: { name: "finish", arguments: { summary: "Raised the request timeout to 5000 ms." } } },
];

export const demoDiagnosis: Diagnosis = {
  logSummary: 'The agent searched for "timeout", search_code found no line, and the agent finished without changing anything. The setting is named requestTimeoutMs.',
  potentialImprovements: ["Make search_code ignore case.", "Tell the agent to read the files when a search finds nothing."],
  improvementProposal: "Make search_code match lines whatever the case of the text, so a search for a word also finds it inside camelCase names.",
  implementationSuggestion: "In src/tools/fileTools.ts, compare lower-cased text: line.toLowerCase().includes(needle.toLowerCase()).",
  problemStatement: "search_code is case-sensitive, so a search for a word finds nothing when the code writes it in camelCase (timeout in requestTimeoutMs), and the agent gives up.",
};

/** The code change of the self-edit (also applied directly to make the child for its reference run). */
export const selfEditChange = { path: "src/tools/fileTools.ts", search: "line.includes(needle)", replace: "line.toLowerCase().includes(needle.toLowerCase())" };

/** The self-edit: find the matching code, change it, finish. */
export const selfEditScript: ScriptedReply[] = [
  { toolCall: { name: "search_code", arguments: { text: selfEditChange.search } } },
  { toolCall: { name: "edit_file", arguments: selfEditChange } },
  { toolCall: { name: "finish", arguments: { summary: "search_code now ignores case." } } },
];
