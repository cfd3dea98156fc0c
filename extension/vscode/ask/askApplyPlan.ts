// What applying an ask's change in VS Code would do, decided before anything is written: every file
// must still read as the agent found it (open editors' unsaved text counts), or already as the agent
// left it; anything else is a conflict and nothing is applied. Pure (no `vscode` import).

export interface PlannedFile {
  path: string;
  /** The agent's starting text (undefined: the file did not exist). */
  before: string | undefined;
  /** The agent's text (undefined: the agent deleted it). */
  after: string | undefined;
  /** What the user has now: an open editor's text, else the file on disk (undefined: no such file). */
  current: string | undefined;
}

export type ApplyPlan =
  | { ok: true; create: PlannedFile[]; replace: PlannedFile[]; remove: PlannedFile[]; unchanged: PlannedFile[] }
  | { ok: false; conflicts: { path: string; why: string }[] };

export function planApply(files: readonly PlannedFile[]): ApplyPlan {
  const conflicts: { path: string; why: string }[] = [];
  const plan = { create: [] as PlannedFile[], replace: [] as PlannedFile[], remove: [] as PlannedFile[], unchanged: [] as PlannedFile[] };
  for (const file of files) {
    if (file.current === file.after) {
      plan.unchanged.push(file);
      continue;
    }
    if (file.current !== file.before) {
      conflicts.push({
        path: file.path,
        why: file.current === undefined ? "you deleted it after the ask started" : file.before === undefined ? "you created it after the ask started" : "you changed it after the ask started",
      });
      continue;
    }
    if (file.after === undefined) plan.remove.push(file);
    else if (file.current === undefined) plan.create.push(file);
    else plan.replace.push(file);
  }
  return conflicts.length ? { ok: false, conflicts } : { ok: true, ...plan };
}
