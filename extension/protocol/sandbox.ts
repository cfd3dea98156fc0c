// How agent commands are confined (clade.sandbox.mode, --sandbox). `auto`: the strongest this machine
// offers (engine/agent/sandbox/isolation.ts).
export const SANDBOX_MODES = ["auto", "bwrap", "unshare", "sandbox-exec", "process"] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];
