// Read-only Markdown documents on the `clade-doc:` scheme (version details, trajectories): the
// content is set by whoever shows it, and updates in place when shown again under the same name.
import * as vscode from "vscode";
import { Disposable } from "./disposable";

export const DOC_SCHEME = "clade-doc";

export class MarkdownDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changeEmitter = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changeEmitter.event;

  constructor() {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? "# Gone\n\nThis document is no longer available; open it again from the Archive view.\n";
  }

  /** Shows `markdown` as `<name>.md` (a name safe for a path: no slashes). */
  async show(name: string, markdown: string, options: { preview?: boolean } = {}): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.from({ scheme: DOC_SCHEME, path: `/${name.replace(/[/\\]/g, "_")}.md` });
    this.contents.set(uri.path, markdown);
    this.changeEmitter.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== "markdown") await vscode.languages.setTextDocumentLanguage(document, "markdown");
    return vscode.window.showTextDocument(document, { preview: options.preview ?? false });
  }
}
