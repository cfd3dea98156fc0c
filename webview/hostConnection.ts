// The webview's side of the protocol: acquires the VS Code API once, sends `ready`, matches
// responses to requests by id, and hands validated host messages to the app.
import { parseHostMessage, type GraphMethod, type GraphRequestMap, type GraphTree, type HostToWebview, type WebviewToHost } from "../extension/protocol/webview";

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** A request the host answered with an error: the message names the problem, `fix` the fix. */
export class HostRequestError extends Error {
  constructor(message: string, readonly fix: string | undefined) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 60_000;

export class HostConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>();
  private readonly onMessage = (event: MessageEvent) => this.receive(event.data);

  constructor(
    readonly api: VsCodeApi,
    private readonly handlers: { tree(tree: GraphTree): void; select(nodeId: string): void },
  ) {
    window.addEventListener("message", this.onMessage);
  }

  /** `acquireVsCodeApi()` may be called only once per webview: this is the one call. */
  static acquire(): VsCodeApi {
    return acquireVsCodeApi();
  }

  ready(): void {
    this.post({ type: "ready" });
  }

  request<M extends GraphMethod>(method: M, params: GraphRequestMap[M]["params"]): Promise<GraphRequestMap[M]["result"]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HostRequestError(`The extension did not answer "${method}" in time.`, "Reopen the archive graph."));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.post({ type: "request", id, method, params } as WebviewToHost);
    });
  }

  dispose(): void {
    window.removeEventListener("message", this.onMessage);
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new HostRequestError("The archive graph was closed.", undefined));
    }
    this.pending.clear();
  }

  private post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  private receive(data: unknown): void {
    const message: HostToWebview | undefined = parseHostMessage(data);
    if (!message) return;
    if (message.type === "tree") return this.handlers.tree(message.tree);
    if (message.type === "select") return this.handlers.select(message.nodeId);
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new HostRequestError(message.error.message, message.error.fix));
  }
}
