// Zoom and pan as a plain transform (scale k, then translate x, y), persisted in the webview state.
export interface ViewTransform {
  k: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 4;

export function clampScale(k: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, k));
}

/** Zooms by `factor` keeping the screen point (px, py) fixed. */
export function zoomAt(t: ViewTransform, factor: number, px: number, py: number): ViewTransform {
  const k = clampScale(t.k * factor);
  const ratio = k / t.k;
  return { k, x: px - (px - t.x) * ratio, y: py - (py - t.y) * ratio };
}

export function panBy(t: ViewTransform, dx: number, dy: number): ViewTransform {
  return { k: t.k, x: t.x + dx, y: t.y + dy };
}

/** Fits the bounds (graph units) into a width × height viewport with a margin; a small tree is drawn large (up to FIT_MAX_SCALE), not small in the middle. */
export const FIT_MAX_SCALE = 2.5;
export function fitTransform(bounds: { minX: number; maxX: number; minY: number; maxY: number }, width: number, height: number, margin = 32): ViewTransform {
  const w = Math.max(1, bounds.maxX - bounds.minX);
  const h = Math.max(1, bounds.maxY - bounds.minY);
  const k = clampScale(Math.min(FIT_MAX_SCALE, (width - 2 * margin) / w, (height - 2 * margin) / h));
  return { k, x: (width - (bounds.minX + bounds.maxX) * k) / 2, y: (height - (bounds.minY + bounds.maxY) * k) / 2 };
}

/** Pans so the point (gx, gy) in graph units is visible, moving as little as possible. */
export function ensureVisible(t: ViewTransform, gx: number, gy: number, width: number, height: number, margin = 40): ViewTransform {
  const sx = gx * t.k + t.x;
  const sy = gy * t.k + t.y;
  const dx = sx < margin ? margin - sx : sx > width - margin ? width - margin - sx : 0;
  const dy = sy < margin ? margin - sy : sy > height - margin ? height - margin - sy : 0;
  return dx || dy ? panBy(t, dx, dy) : t;
}

export function isTransform(value: unknown): value is ViewTransform {
  const v = value as Partial<ViewTransform> | null;
  return !!v && [v.k, v.x, v.y].every((n) => typeof n === "number" && Number.isFinite(n)) && v.k! > 0;
}
