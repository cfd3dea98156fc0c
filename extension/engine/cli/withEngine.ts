// Runs a CLI command against a freshly started engine process (the same engine VS Code uses), and
// stops it afterwards. Ctrl-C aborts the running request; a second Ctrl-C kills the engine.
import { fileURLToPath } from "node:url";
import { EngineClient } from "../rpc/engineClient";

export interface EngineRunOptions {
  verbose?: boolean;
}

export async function withEngine<T>(options: EngineRunOptions, run: (client: EngineClient, signal: AbortSignal) => Promise<T>): Promise<T> {
  const enginePath = fileURLToPath(new URL("./engine.mjs", import.meta.url));
  const client = await EngineClient.start({ enginePath });
  if (options.verbose) {
    client.onLog((entry) => process.stderr.write(`[${entry.source}:${entry.level}] ${entry.message}\n`));
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write("clade: cancelling… (Ctrl-C again to force)\n");
      controller.abort();
    } else {
      client.dispose();
      process.exit(130);
    }
  };
  process.on("SIGINT", onSigint);
  try {
    return await run(client, controller.signal);
  } finally {
    process.off("SIGINT", onSigint);
    await client.stop();
    client.dispose();
  }
}
