// Entry point of the engine process (dist/engine.mjs). Started by the VS Code extension or the CLI
// with child_process.fork (ELECTRON_RUN_AS_NODE=1 inside VS Code); talks JSON-RPC over the IPC channel.
// A native abort in llama.cpp kills only this process: the client sees the exit and offers a restart.
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from "vscode-jsonrpc/node";
import { Engine } from "../engine";
import { sweepStaleScratch } from "../util/staleScratch";
import { serveEngine } from "./engineServer";

if (!process.send) {
  console.error("clade engine: must be started with an IPC channel (child_process.fork), not run directly.");
  process.exit(2);
}

const engine = new Engine({ cacheDir: process.env.CLADE_CACHE_DIR });
const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
serveEngine(connection, engine);

process.on("uncaughtException", (error) => engine.log("error", `Uncaught exception: ${error.stack ?? error.message}`));
process.on("unhandledRejection", (reason) => engine.log("error", `Unhandled rejection: ${String(reason)}`));
// The parent went away (editor closed, CLI exited): free the model and leave.
process.on("disconnect", () => void engine.dispose().finally(() => process.exit(0)));
connection.onClose(() => void engine.dispose().finally(() => process.exit(0)));
connection.listen();

// Temporary folders of engines that were killed (they cannot clean up after themselves); a minute
// in, so that it does not compete with the engine's start and the first model load.
setTimeout(() => {
  void sweepStaleScratch()
    .then(({ removed }) => removed.length && engine.log("info", `Removed ${removed.length} temporary folder(s) left for a day or more by Clade processes that were stopped.`))
    .catch(() => undefined);
}, 60_000).unref();
