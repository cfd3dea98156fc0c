// Arrow keys follow the tree's edges: Up to the parent, Down to the first child, Left/Right to the
// previous/next sibling (or neighbouring root). Home/End: first/last root. Pure, unit-tested.
import type { GraphLayout } from "./graphLayout";

export type NavigationKey = "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight" | "Home" | "End";

export function isNavigationKey(key: string): key is NavigationKey {
  return key === "ArrowUp" || key === "ArrowDown" || key === "ArrowLeft" || key === "ArrowRight" || key === "Home" || key === "End";
}

/** The node to focus after `key` from `currentId`; the first root when nothing is focused yet. */
export function navigate(layout: GraphLayout, currentId: string | null, key: NavigationKey): string | null {
  const current = currentId ? layout.nodes.get(currentId) : undefined;
  if (!current || key === "Home") return layout.roots[0] ?? null;
  if (key === "End") return layout.roots[layout.roots.length - 1] ?? null;
  if (key === "ArrowUp") return current.parentId ?? current.node.id;
  if (key === "ArrowDown") return current.childIds[0] ?? current.node.id;
  const siblings = current.parentId ? layout.nodes.get(current.parentId)!.childIds : layout.roots;
  const index = siblings.indexOf(current.node.id) + (key === "ArrowLeft" ? -1 : 1);
  return siblings[Math.max(0, Math.min(siblings.length - 1, index))] ?? current.node.id;
}
