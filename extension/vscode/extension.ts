// Clade's VS Code entry point. Thin: it creates the services (log, engine, model settings), hands them
// to one feature module per command or view, and stops the engine on deactivation. node-llama-cpp is
// loaded only in the engine process, never here.
import fs from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import type { CladeDeps } from "./deps";
import { EngineManager } from "./engine/engineManager";
import * as engineCommands from "./engine/engineCommands";
import { ModelConfiguration } from "./model/modelConfiguration";
import { ModelInfoDocument } from "./model/modelInfoDocument";
import { ModelService } from "./model/modelService";
import * as serverApiKey from "./model/serverApiKey";
import { ServerApiKey } from "./model/serverApiKey";
import * as modelView from "./model/modelView";
import * as selectModelCommand from "./model/selectModelCommand";
import * as showModelInfoCommand from "./model/showModelInfoCommand";
import * as statusBar from "./status/statusBar";
import * as activationCommands from "./archive/activationCommands";
import { ArchiveModel } from "./archive/archiveModel";
import * as archiveTreeView from "./archive/archiveTreeView";
import * as reviewCommands from "./archive/reviewCommands";
import * as graph from "./graph/register";
import * as downloadModelCommand from "./model/downloadModelCommand";
import * as agentCommands from "./session/agentCommands";
import * as askFeature from "./ask/askFeature";
import * as sessionCommands from "./session/sessionCommands";
import { SessionService } from "./session/sessionService";
import * as sessionsView from "./session/sessionsView";
import { MarkdownDocuments } from "./util/markdownDocuments";

type FeatureModule = { register(context: vscode.ExtensionContext, deps: CladeDeps): void };
const FEATURES: readonly FeatureModule[] = [
  engineCommands, showModelInfoCommand, selectModelCommand, downloadModelCommand, modelView, statusBar,
  archiveTreeView, sessionsView, reviewCommands, activationCommands, sessionCommands, agentCommands, askFeature, graph,
];

let engine: EngineManager | undefined;

export interface CladeApi {
  /** For tests and other extensions: the services behind the commands. */
  readonly deps: CladeDeps;
}

export function activate(context: vscode.ExtensionContext): CladeApi {
  const log = vscode.window.createOutputChannel("Clade", { log: true });
  context.subscriptions.push(log);
  const cacheDir = path.join(context.globalStorageUri.fsPath, "models");
  fs.mkdirSync(cacheDir, { recursive: true });
  engine = new EngineManager({
    enginePath: context.asAbsolutePath(path.join("dist", "engine.mjs")),
    env: { CLADE_CACHE_DIR: cacheDir },
    log,
  });
  const apiKey = new ServerApiKey(context.secrets);
  serverApiKey.register(context, apiKey, log);
  const configuration = new ModelConfiguration(cacheDir, () => apiKey.get());
  context.subscriptions.push(apiKey);
  const models = new ModelService(engine, configuration, context.globalState, log);
  const infoDocument = new ModelInfoDocument();
  const archive = new ArchiveModel(engine, log);
  const sessions = new SessionService(archive, models, configuration, log);
  const documents = new MarkdownDocuments();
  context.subscriptions.push(engine, configuration, models, infoDocument, archive, sessions, documents);
  const deps: CladeDeps = { log, engine, configuration, models, infoDocument, archive, sessions, documents };
  for (const feature of FEATURES) feature.register(context, deps);
  log.info(`Clade ${context.extension.packageJSON.version} activated (VS Code ${vscode.version}, ${process.platform}-${process.arch}).`);
  return { deps };
}

/** Stops the engine cleanly, so the model is freed before the extension host goes. */
export async function deactivate(): Promise<void> {
  await engine?.shutdown();
  engine = undefined;
}
