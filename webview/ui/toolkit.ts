// Every use of @vscode/webview-ui-toolkit lives in this folder (the toolkit is deprecated since
// 2025-01-01; swapping it, e.g. for @vscode-elements/elements, touches only webview/ui/).
import { provideVSCodeDesignSystem, vsCodeButton } from "@vscode/webview-ui-toolkit";

let registered = false;

/** Registers the toolkit's custom elements once (the design system reads the theme's --vscode-* variables). */
export function registerToolkit(): void {
  if (registered) return;
  provideVSCodeDesignSystem().register(vsCodeButton());
  registered = true;
}

export interface ButtonOptions {
  appearance?: "primary" | "secondary";
  disabled?: boolean;
  title?: string;
  onClick(): void;
}

export type ButtonFactory = (label: string, options: ButtonOptions) => HTMLElement;

/** A toolkit button; `label` is set as text. */
export const createButton: ButtonFactory = (label, options) => {
  registerToolkit();
  const button = document.createElement("vscode-button");
  button.setAttribute("appearance", options.appearance ?? "secondary");
  if (options.disabled) button.setAttribute("disabled", "");
  if (options.title) button.setAttribute("title", options.title);
  button.textContent = label;
  button.addEventListener("click", () => {
    if (!button.hasAttribute("disabled")) options.onClick();
  });
  return button;
};
