// Child process for archiveCrash.test.ts: opens the archive, records one finished evaluation, prints
// "done <runId>" once that append resolved, then keeps appending until it is killed.
import { Archive } from "../../extension/engine/archive";

const [workspace, runId] = process.argv.slice(2);
const archive = await Archive.open(workspace);
const node = archive.root()!.id;
await archive.recordEvaluationFinished(node, {
  runId, taskId: "t-add", passed: true, wallMs: 5, modelMs: 1, turns: 1, stopReason: "finished", trajectory: "",
  usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 },
});
process.stdout.write(`done ${runId}\n`);
// Busy writer: the kill lands while appends are in progress.
for (let i = 0; ; i++) await archive.recordEvaluationStarted(node, `t-${i % 4}`, `${runId}-busy-${i}`);
