// The structured proposal a diagnosis returns (DGM's fields), as a JSON schema the model host turns
// into a grammar, so the reply always parses.
import type { ToolDefinition } from "../../protocol/model";

export interface Diagnosis {
  logSummary: string;
  potentialImprovements: string[];
  improvementProposal: string;
  implementationSuggestion: string;
  problemStatement: string;
}

const text = (maxLength: number) => ({ type: "string", minLength: 1, maxLength });

export const proposeImprovementTool: ToolDefinition = {
  name: "propose_improvement",
  description: "Propose one improvement to the agent's own code that would have helped on the failed task.",
  parameters: {
    type: "object",
    properties: {
      logSummary: text(600),
      potentialImprovements: { type: "array", items: text(200), minItems: 1, maxItems: 4 },
      improvementProposal: text(600),
      implementationSuggestion: text(600),
      problemStatement: text(800),
    },
    required: ["logSummary", "potentialImprovements", "improvementProposal", "implementationSuggestion", "problemStatement"],
  },
};

/** Checks a tool call's arguments against the Diagnosis shape (the grammar should already guarantee it). */
export function toDiagnosis(value: unknown): Diagnosis | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const str = (key: string) => (typeof v[key] === "string" && (v[key] as string).trim() ? (v[key] as string) : undefined);
  const list = Array.isArray(v.potentialImprovements) ? v.potentialImprovements.filter((x): x is string => typeof x === "string") : undefined;
  const fields = { logSummary: str("logSummary"), improvementProposal: str("improvementProposal"), implementationSuggestion: str("implementationSuggestion"), problemStatement: str("problemStatement") };
  if (!list || Object.values(fields).some((f) => f === undefined)) return undefined;
  return { ...(fields as Omit<Diagnosis, "potentialImprovements">), potentialImprovements: list };
}

/** The task the parent agent gets to work on its own code (DGM: summary + To Implement + suggestion + problem). */
export function selfEditInstructions(diagnosis: Diagnosis): string {
  return [
    "You are working on your own source code: this folder is the coding agent you are (prompts in src/prompts.ts, tools in src/tools/, the control loop in src/loop.ts, settings in src/settings.ts).",
    "Do not change src/host.ts (the contract with the harness) and keep the unit tests in test/ passing.",
    `# What went wrong\n${diagnosis.logSummary}`,
    `# To implement\n${diagnosis.improvementProposal}`,
    `# How\n${diagnosis.implementationSuggestion}`,
    `# Problem\n${diagnosis.problemStatement}`,
  ].join("\n\n");
}
