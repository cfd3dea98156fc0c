// Runs async work over a list with a small concurrency limit (the machine has few cores and test
// runs are processes). Items start in order; `stop()` true stops starting new ones.
import { cancelledError } from "../../protocol/errors";

export interface PoolOptions {
  concurrency: number;
  signal?: AbortSignal;
  stop?: () => boolean;
  what?: string;
}

export async function runPool<T, R>(items: readonly T[], options: PoolOptions, work: (item: T, index: number) => Promise<R>): Promise<Array<R | undefined>> {
  const results: Array<R | undefined> = new Array(items.length).fill(undefined);
  let next = 0;
  let failed = false; // after one item throws, the others finish their current item and stop
  async function worker(): Promise<void> {
    while (next < items.length && !failed) {
      if (options.signal?.aborted) throw cancelledError(options.what);
      if (options.stop?.()) return;
      const index = next++;
      try {
        results[index] = await work(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  }
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency, items.length)) }, worker);
  // Wait for every worker (no test run keeps going after we return), then report the first error.
  const settled = await Promise.allSettled(workers);
  const rejection = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (rejection) throw rejection.reason;
  return results;
}
