// window.withProgress with a Cancel button whose token becomes an AbortSignal (which EngineClient
// turns into a JSON-RPC cancellation, and the engine into an AbortSignal for node-llama-cpp).
import * as vscode from "vscode";
import type { ProgressValue } from "../../protocol/engine";
import { progressMessage } from "./progressMessage";

export interface ProgressHandle {
  signal: AbortSignal;
  /** Feeds engine progress (percentages) into the notification. */
  onProgress: (value: ProgressValue) => void;
}

export function withCancellableProgress<T>(title: string, task: (handle: ProgressHandle) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    let reported = 0;
    const onProgress = (value: ProgressValue) => {
      const message = progressMessage(title, value);
      if (value.percentage === undefined) return progress.report({ message });
      const percentage = Math.max(0, Math.min(100, value.percentage));
      // withProgress takes increments; a restarted phase (download, then load) starts over at 0.
      const increment = percentage >= reported ? percentage - reported : percentage;
      reported = percentage;
      progress.report({ message: `${message} (${Math.round(percentage)}%)`, increment });
    };
    try {
      return await task({ signal: controller.signal, onProgress });
    } finally {
      subscription.dispose();
    }
  });
}
