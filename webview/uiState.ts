// What the webview persists with setState (UI only; data is re-fetched from the host on reload).
import { isTransform, type ViewTransform } from "./model/viewTransform";

export interface UiState {
  transform?: ViewTransform;
  selectedId?: string;
}

export function parseUiState(value: unknown): UiState {
  const v = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return {
    ...(isTransform(v.transform) ? { transform: v.transform } : {}),
    ...(typeof v.selectedId === "string" && v.selectedId.length <= 200 ? { selectedId: v.selectedId } : {}),
  };
}
