// Child process for sessionCrash.test.ts: runs (or resumes) a session with the scripted oracle
// provider and prints one line per evaluation once it is durable in the archive.
import { runSession } from "../../extension/engine/evolve/session";
import { openBuiltinSuite } from "../../extension/engine/tasks/builtinSuite";
import { OracleProvider } from "../helpers/oracleProvider";

const [workspace, strategy] = process.argv.slice(2);
const provider = new OracleProvider(await openBuiltinSuite().list());
const summary = await runSession({
  workspace, suite: "builtin", strategy: strategy as "dgm" | "hgm", budgetEvaluations: 60, parallel: 2, seed: 11, provider, modelHash: "scripted",
  gateTasks: 1, limits: { maxTurns: 8 },
  strategyOptions: { generational: { stages: [4, 4], thresholds: [0.4], evaluateRootFully: false, parentsPerGeneration: 2 }, hgm: { initialExpansions: 2 } },
  onEvaluation: (r) => process.stdout.write(`done ${r.nodeId} ${r.taskId} ${r.runId}\n`),
});
process.stdout.write(`summary ${JSON.stringify({ stopReason: summary.stopReason, evaluations: summary.evaluationsDone, nodes: summary.nodes })}\n`);
