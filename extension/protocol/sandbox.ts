// How agent commands are confined (clade.sandbox.mode, --sandbox). `auto`: the strongest this machine
// offers (engine/agent/sandbox/isolation.ts).
export const SANDBOX_MODES = ["auto", "bwrap", "unshare", "sandbox-exec", "process"] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/** The confinement in force for a requested mode (engine request `system/sandbox`, `clade doctor`). */
export interface SandboxInfo {
  requested: SandboxMode;
  mode: Exclude<SandboxMode, "auto">;
  /** Why this mode: what was found, what was not. */
  reason: string;
  /** `process` only: what agent code can still do, and the fix. */
  warning?: string;
}
