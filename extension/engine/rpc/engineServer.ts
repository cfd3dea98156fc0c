// Binds the engine's services to a JSON-RPC connection: one handler per request in the protocol.
// Cancellation tokens become AbortSignals, progress tokens become callbacks, and CladeErrors become
// ResponseErrors whose `data` carries the reason and the fix.
import { ResponseError, type MessageConnection, type RequestHandler, type RequestType } from "vscode-jsonrpc";
import { Notifications, Requests, progressType, type ProgressValue, type WithProgress } from "../../protocol/engine";
import { CladeError, diskFullError, isDiskFull, type ErrorData } from "../../protocol/errors";
import type { Engine } from "../engine";

/** Error code for CladeErrors on the wire (JSON-RPC reserves -32768..-32000 for itself). */
export const CLADE_ERROR_CODE = 1000;

export function serveEngine(connection: MessageConnection, engine: Engine): void {
  const progressFor = (params: WithProgress | undefined) => {
    const token = params?.progressToken;
    return token ? (value: ProgressValue) => void connection.sendProgress(progressType, token, value) : undefined;
  };
  const handle = <P, R>(
    type: RequestType<P, R, ErrorData>,
    run: (params: P, signal: AbortSignal, onProgress?: (value: ProgressValue) => void) => Promise<R>,
  ) => {
    const handler: RequestHandler<unknown, unknown, ErrorData> = async (raw, token) => {
      const params = raw as P;
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        return await run(params, controller.signal, progressFor(params as WithProgress));
      } catch (error) {
        throw toResponseError(error);
      } finally {
        subscription.dispose();
      }
    };
    // vscode-jsonrpc's conditional parameter types do not resolve for a generic P; the descriptor keeps it typed.
    connection.onRequest(type as RequestType<unknown, unknown, ErrorData>, handler);
  };

  handle(Requests.ping, async () => engine.ping());
  handle(Requests.shutdown, async () => {
    await engine.dispose();
    setImmediate(() => process.exit(0));
  });
  handle(Requests.loadModel, (spec, signal, onProgress) => engine.loadModel(stripToken(spec), { signal, onProgress }));
  handle(Requests.unloadModel, () => engine.unloadModel());
  handle(Requests.modelInfo, async () => engine.modelInfo());
  handle(Requests.chat, (params, signal) => engine.models.chat(stripToken(params), { signal }));
  handle(Requests.endChatSession, async (params: { sessionId: string }) => engine.models.endSession(params.sessionId));
  handle(Requests.hardware, async (params) => (await import("../model/hardware")).describeHardware(params?.gpu ?? "auto"));
  handle(Requests.sandbox, async (params) => (await import("../agent/sandbox/isolation")).resolveIsolation(params?.mode ?? "auto"));
  handle(Requests.trainerBackend, async (params) => (await import("../train/trainerBackend")).resolveTrainerBackend({ gpu: params?.gpu, gpuLayers: params?.gpuLayers }));
  handle(Requests.download, (params, signal, onProgress) => engine.download(params.uri, params.cacheDir, { signal, onProgress }));
  handle(Requests.runTask, (params, signal, onProgress) => engine.runTask(stripToken(params), { signal, onProgress }));
  handle(Requests.evolve, (params, signal, onProgress) => engine.evolve(stripToken(params), { signal, onProgress }));
  handle(Requests.work, (params, signal, onProgress) => engine.work(stripToken(params), { signal, onProgress }));
  handle(Requests.train, (params, signal, onProgress) => engine.train(stripToken(params), { signal, onProgress }));
  handle(Requests.ask, (params, signal, onProgress) => engine.ask(stripToken(params), { signal, onProgress, onEvent: (event) => void connection.sendNotification(Notifications.askEvent, event) }));
  handle(Requests.askApply, async (p) => (await import("../ask/askService")).applyAsk(p.workspace, p.askId));
  handle(Requests.askApplied, async (p) => (await import("../ask/askService")).recordApplied(p.workspace, p.askId, p.files));
  handle(Requests.askDiscard, async (p) => (await import("../ask/askService")).discardAsk(p.workspace, p.askId));
  handle(Requests.askList, async (p) => (await import("../ask/askLog")).askSummaries(p.workspace));
  handle(Requests.askSaveTask, async (p) => (await import("../ask/saveAskTask")).saveAskAsTask(p.workspace, p.askId, p.taskId));
  const archives = engine.archives;
  handle(Requests.archiveTree, (p) => archives.tree(p.workspace));
  handle(Requests.nodeDetails, (p) => archives.details(p.workspace, p.nodeId));
  handle(Requests.nodeDiff, (p) => archives.diff(p.workspace, p.nodeId, p.against, p.patch ?? true));
  handle(Requests.nodeFile, (p) => archives.file(p.workspace, p.nodeId, p.path));
  handle(Requests.trajectory, (p) => archives.trajectory(p.workspace, p.nodeId, p.runId));
  handle(Requests.accept, (p) => archives.accept(p.workspace, p.nodeId));
  handle(Requests.revert, (p) => archives.revert(p.workspace, p.nodeId));
  handle(Requests.undo, (p) => archives.undo(p.workspace));
  handle(Requests.listTasks, async (p) => (await (await import("../tasks/listTasks")).listTasks(p.suite, { workspace: p.workspace, testCommand: p.testCommand })).tasks.map((t) => ({ id: t.id, title: t.title, tier: t.tier })));
  handle(Requests.generateTestModel, (options, _signal, onProgress) => engine.generateTestModel(stripToken(options), onProgress));

  engine.onLog((entry) => void connection.sendNotification(Notifications.log, entry));
  engine.onModelState((state) => void connection.sendNotification(Notifications.modelState, state));
  archives.onDidChange((change) => void connection.sendNotification(Notifications.archiveChanged, change));
}

function stripToken<T extends WithProgress>(params: T): Omit<T, "progressToken"> {
  const { progressToken: _token, ...rest } = params;
  return rest;
}

export function toResponseError(error: unknown): ResponseError<ErrorData> {
  if (error instanceof ResponseError) return error;
  if (CladeError.is(error)) return new ResponseError(CLADE_ERROR_CODE, error.message, error.toData());
  if (isDiskFull(error)) return toResponseError(diskFullError(`a write (${error instanceof Error ? error.message : String(error)})`, error));
  const message = error instanceof Error ? error.message : String(error);
  return new ResponseError(CLADE_ERROR_CODE, `Internal engine error: ${message}`, {
    reason: "internal",
    fix: "This is a bug in Clade. The engine log has the details; please report it with the log.",
  });
}
