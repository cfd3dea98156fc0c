// The services every feature module receives in `register(context, deps)`.
import type * as vscode from "vscode";
import type { EngineManager } from "./engine/engineManager";
import type { ModelConfiguration } from "./model/modelConfiguration";
import type { ModelInfoDocument } from "./model/modelInfoDocument";
import type { ModelService } from "./model/modelService";

export interface CladeDeps {
  log: vscode.LogOutputChannel;
  engine: EngineManager;
  configuration: ModelConfiguration;
  models: ModelService;
  infoDocument: ModelInfoDocument;
}
