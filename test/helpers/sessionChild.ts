// Runs a session child script (test/integration/sessionCrashChild.ts, test/reliability/sessionChild.ts)
// and collects its protocol: a line "done <id>" per evaluation it reported durable, and a line
// "summary <json>" when the session finished. With `killAfterMs`, the child is SIGKILLed then.
import { spawn } from "node:child_process";

export interface SessionChildRun {
  /** What the child reported done, in order. */
  done: string[];
  /** It printed its summary (the session completed). */
  finished: boolean;
  summary?: string;
  /** The end of its stderr. */
  output: string;
}

export function runSessionChild(script: string, args: string[], killAfterMs: number | null): Promise<SessionChildRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const result: SessionChildRun = { done: [], finished: false, output: "" };
    let buffer = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("done ")) result.done.push(line.slice(5));
        if (line.startsWith("summary ")) {
          result.finished = true;
          result.summary = line.slice(8);
        }
      }
    });
    child.stderr.on("data", (chunk) => (result.output = (result.output + chunk).slice(-4000)));
    const timer = killAfterMs === null ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(result);
    });
  });
}
