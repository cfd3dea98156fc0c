// "Clade: Set Inference Server API Key": the key for an `openai:` model lives in VS Code's
// SecretStorage (the OS keychain), never in settings or logs. Kept in memory so the model spec can
// be built synchronously; a change (here or in another window) reloads the model.
import * as vscode from "vscode";


export const SET_SERVER_API_KEY = "clade.setServerApiKey";
const SECRET = "clade.inferenceServer.apiKey";

export class ServerApiKey implements vscode.Disposable {
  private value: string | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  /** Reads the stored key (asynchronously: `ready` resolves once it is in memory). */
  readonly ready: Promise<void>;

  constructor(private readonly secrets: vscode.SecretStorage) {
    const reload = async () => {
      this.value = await secrets.get(SECRET);
      this.changeEmitter.fire();
    };
    this.subscription = secrets.onDidChange((event) => void (event.key === SECRET && reload()));
    this.ready = Promise.resolve(secrets.get(SECRET)).then((value) => {
      this.value = value;
    }, () => undefined);
  }

  get(): string | undefined {
    return this.value;
  }

  async set(value: string | undefined): Promise<void> {
    if (value) await this.secrets.store(SECRET, value);
    else await this.secrets.delete(SECRET);
    this.value = value || undefined;
    this.changeEmitter.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}

export function register(context: vscode.ExtensionContext, key: ServerApiKey, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(vscode.commands.registerCommand(SET_SERVER_API_KEY, async () => {
    const value = await vscode.window.showInputBox({
      title: "Inference server API key",
      prompt: "The key for the server in clade.model.path (openai:…). Stored in VS Code's secret storage, not in settings. Leave empty to remove it.",
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    await key.set(value.trim());
    log.info(value.trim() ? "Inference server API key stored in VS Code's secret storage." : "Inference server API key removed.");
    void vscode.window.showInformationMessage(value.trim() ? "Clade: API key stored (secret storage)." : "Clade: API key removed.");
  }));
}
