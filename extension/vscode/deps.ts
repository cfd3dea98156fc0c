// The services every feature module receives in `register(context, deps)`.
import type * as vscode from "vscode";
import type { ArchiveModel } from "./archive/archiveModel";
import type { EngineManager } from "./engine/engineManager";
import type { ModelConfiguration } from "./model/modelConfiguration";
import type { ModelInfoDocument } from "./model/modelInfoDocument";
import type { ModelService } from "./model/modelService";
import type { SessionService } from "./session/sessionService";
import type { MarkdownDocuments } from "./util/markdownDocuments";

export interface CladeDeps {
  log: vscode.LogOutputChannel;
  engine: EngineManager;
  configuration: ModelConfiguration;
  models: ModelService;
  infoDocument: ModelInfoDocument;
  /** The workspace's archive as the engine last reported it (live). */
  archive: ArchiveModel;
  /** Self-improvement sessions run from this window. */
  sessions: SessionService;
  /** Read-only Markdown documents (version details, trajectories, run results). */
  documents: MarkdownDocuments;
}
