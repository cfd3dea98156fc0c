// Tree items run their command on every click; a second click on the same item within the window
// is a double click. Pure (no `vscode` import) so unit tests drive it with their own clock.
export const DOUBLE_CLICK_MS = 500;

/** Returns a function that says, per click on `id`, whether it completes a double click. */
export function doubleClickDetector(windowMs = DOUBLE_CLICK_MS, now: () => number = Date.now): (id: string) => boolean {
  let last: { id: string; at: number } | undefined;
  return (id) => {
    const at = now();
    const isDouble = last !== undefined && last.id === id && at - last.at <= windowMs;
    // A double click is consumed: a third click starts over.
    last = isDouble ? undefined : { id, at };
    return isDouble;
  };
}
