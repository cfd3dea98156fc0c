// What applying an ask's change would do, decided before anything is written: every file must still
// be as the agent found it, or already as the agent left it; anything else is a conflict and nothing
// is applied. One rule for both paths: the engine compares content hashes of the files on disk
// (`clade asks apply`), VS Code compares texts with open editors' unsaved text counted. Pure.

/** Each side as a text or a content hash (compared for equality only; undefined: no such file). */
export interface PlannedFile {
  path: string;
  /** As the agent found it (undefined: the file did not exist). */
  before: string | undefined;
  /** As the agent left it (undefined: the agent deleted it). */
  after: string | undefined;
  /** What the user has now (in VS Code: an open editor's text, else the file on disk). */
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
