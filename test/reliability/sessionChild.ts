// Child process for crashSuite.ts: runs (or resumes) a session with the scripted oracle provider
// and prints one line per evaluation once it is durable in the archive. Args: workspace, budget.
import { runSession } from "../../extension/engine/evolve/session";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import { OracleProvider } from "../helpers/oracleProvider";

const [workspace, budget] = process.argv.slice(2);
const provider = new OracleProvider(await openBuiltinSuite().list());
const summary = await runSession({
  workspace, suite: "builtin", strategy: "dgm", budgetEvaluations: Number(budget), parallel: 2,
  // Expansions killed mid-way count as started: with 50 kills the default cap (max(10, budget)) can
  // run out before the evaluation budget does, and the session would end early.
  budgetExpansions: 1000, seed: 11, provider, modelHash: "scripted",
  gateTasks: 1, limits: { maxTurns: 8 },
  strategyOptions: { generational: { stages: [4, 4], thresholds: [0.4], evaluateRootFully: false, parentsPerGeneration: 2 } },
  onEvaluation: (r) => process.stdout.write(`done ${r.nodeId} ${r.taskId} ${r.runId}\n`),
});
process.stdout.write(`summary ${JSON.stringify({ stopReason: summary.stopReason, evaluations: summary.evaluationsDone, nodes: summary.nodes })}\n`);
