// The read-only `clade-info:` document that "Clade: Show Model Info" opens (Markdown).
import * as vscode from "vscode";
import { Disposable } from "../util/disposable";

export const MODEL_INFO_SCHEME = "clade-info";
export const MODEL_INFO_URI = vscode.Uri.from({ scheme: MODEL_INFO_SCHEME, path: "/Model Info.md" });

export class ModelInfoDocument extends Disposable implements vscode.TextDocumentContentProvider {
  private content = "# Clade model\n\nNo model loaded yet: run \"Clade: Show Model Info\".\n";
  private readonly changeEmitter = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changeEmitter.event;

  constructor() {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(MODEL_INFO_SCHEME, this));
  }

  provideTextDocumentContent(): string {
    return this.content;
  }

  /**
   * Replaces the content and shows it rendered (Markdown preview; updated in place when open), not
   * as Markdown source. Locked: an unlocked preview follows the active Markdown editor, so opening
   * a version's details would turn this tab into "Preview Version n0.md".
   */
  async show(markdown: string): Promise<void> {
    this.content = markdown;
    this.changeEmitter.fire(MODEL_INFO_URI);
    await vscode.workspace.openTextDocument(MODEL_INFO_URI);
    // markdown.showPreview(mainUri, allUris, { locked }) — the Markdown extension's signature.
    await vscode.commands.executeCommand("markdown.showPreview", MODEL_INFO_URI, undefined, { locked: true });
  }
}
