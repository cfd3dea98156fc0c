// Node's permission model (Node ≥ 20: --experimental-permission) confines the agent process: it
// may read only the paths given, write only the sandbox, and start no processes or workers. We
// probe once that the running Node honours it (VS Code's Electron may not) and refuse to run an
// agent unconfined.
import { spawnSync } from "node:child_process";
import { stat } from "node:fs/promises";
import { CladeError } from "../../protocol/errors";

const isDirectory = (p: string) => stat(p).then((s) => s.isDirectory(), () => false);

let probed: boolean | undefined;

function flagName(): string {
  const major = Number(process.versions.node.split(".")[0]);
  return major >= 23 ? "--permission" : "--experimental-permission";
}

export function permissionModelAvailable(): boolean {
  if (probed === undefined) {
    const probe = spawnSync(process.execPath, [flagName(), "--allow-fs-read=/nonexistent-clade-probe", "-e", "try{require('fs').readFileSync('/etc/hostname');process.exit(3)}catch(e){process.exit(e.code==='ERR_ACCESS_DENIED'?0:4)}"], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
      stdio: "ignore",
      timeout: 10_000,
    });
    probed = probe.status === 0;
  }
  return probed;
}

export async function permissionArgs(paths: { read: string[]; write: string[] }): Promise<string[]> {
  if (!permissionModelAvailable()) {
    throw new CladeError(
      "sandbox-unavailable",
      `This Node.js (${process.execPath}, ${process.version}) does not enforce the permission model, so agent code cannot be confined.`,
      "Run Clade's engine with Node.js 20 or newer (set `clade.engine.nodePath` in VS Code, or use the CLI with Node ≥ 20).",
    );
  }
  // One flag per path (comma lists are deprecated); a folder needs "/*" to cover what is inside it.
  const flags = async (flag: string, list: string[]) =>
    Promise.all(list.map(async (p) => `${flag}=${(await isDirectory(p)) ? `${p.replace(/\/+$/, "")}/*` : p}`));
  return [flagName(), ...(await flags("--allow-fs-read", paths.read)), ...(await flags("--allow-fs-write", paths.write)), "--disable-warning=ExperimentalWarning"];
}
