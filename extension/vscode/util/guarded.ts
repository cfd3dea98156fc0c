// Wraps a command handler so a failure is shown the Clade way (problem + fix + actions, logged)
// and the command resolves with undefined instead of rejecting.
import type * as vscode from "vscode";
import { showError } from "./showError";

export function guarded<A extends unknown[], R>(log: vscode.LogOutputChannel, run: (...args: A) => Promise<R>): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await run(...args);
    } catch (error) {
      void showError(error, log);
      return undefined;
    }
  };
}
