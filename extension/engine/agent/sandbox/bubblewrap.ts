// bubblewrap confinement (Linux; what `auto` picks where it works): no network, its own pid
// namespace (everything dies with it), a new root with only the system folders read-only, a private
// /tmp and the sandbox read-write; hidden paths and credential files covered where still visible.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { CladeError } from "../../../protocol/errors";
import { systemPaths, type SystemPath } from "./confine";

export interface BubblewrapOptions {
  cwd: string;
  /** Bound read-write at the same path (the sandbox, its HOME and TMPDIR). */
  writablePaths: string[];
  /** Hidden (an empty tmpfs over a directory, /dev/null over a file), in addition to the user's credential files. */
  hiddenPaths?: string[];
  /** Keep the host network (default false: only a private loopback). */
  network?: boolean;
}

/** Credential locations under the user's home, hidden inside bubblewrap. */
const CREDENTIAL_PATHS = [
  ".ssh", ".gnupg", ".aws", ".azure", ".config/gcloud", ".kube", ".docker", ".config/gh", ".config/hub",
  ".netrc", ".git-credentials", ".npmrc", ".yarnrc", ".pypirc", ".cargo/credentials", ".cargo/credentials.toml",
  ".huggingface", ".cache/huggingface/token", ".config/clade/secrets",
];

const INSTALL_FIX = "Install bubblewrap (`sudo apt-get install bubblewrap`, `sudo dnf install bubblewrap`, `sudo pacman -S bubblewrap`) or choose the process sandbox.";

let probed: Promise<string> | undefined;

async function findOnPath(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function probe(searchPath: string): Promise<string> {
  if (process.platform !== "linux") {
    throw new CladeError("sandbox-unavailable", `The bubblewrap sandbox needs Linux (this is ${process.platform}).`, "Choose the process sandbox on this OS.");
  }
  const bwrap = await findOnPath("bwrap", searchPath);
  if (!bwrap) throw new CladeError("sandbox-unavailable", "The bubblewrap sandbox was requested but `bwrap` is not installed.", INSTALL_FIX);
  const args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net", "--unshare-pid", "--die-with-parent", "--", "/bin/true"];
  await new Promise<void>((resolve, reject) => {
    execFile(bwrap, args, { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      reject(
        new CladeError(
          "sandbox-unavailable",
          `bubblewrap is installed (${bwrap}) but cannot create a sandbox here: ${stderr.trim() || error.message}`,
          "Allow unprivileged user namespaces (e.g. `sudo sysctl kernel.unprivileged_userns_clone=1`, or on Ubuntu 24.04+ an AppArmor profile for bwrap), run inside a VM/container that permits them, or choose the process sandbox.",
        ),
      );
    });
  });
  return bwrap;
}

const DEFAULT_SEARCH_PATH = [process.env.PATH ?? "", "/usr/bin", "/usr/local/bin", "/bin"].join(path.delimiter);

/**
 * Path of a working bwrap; probes once per process (a failure is not cached, so installing it
 * later works). `searchPath` (PATH syntax) replaces the usual search and skips the cache.
 * Throws CladeError "sandbox-unavailable" when bwrap is missing or cannot create namespaces.
 */
export function ensureBubblewrap(options: { searchPath?: string } = {}): Promise<string> {
  if (options.searchPath !== undefined) return probe(options.searchPath);
  probed ??= probe(DEFAULT_SEARCH_PATH).catch((error: unknown) => {
    probed = undefined;
    throw error;
  });
  return probed;
}

async function hideArgs(paths: string[]): Promise<string[]> {
  const args: string[] = [];
  for (const target of paths) {
    try {
      const info = await stat(target);
      args.push(...(info.isDirectory() ? ["--tmpfs", target] : ["--ro-bind", "/dev/null", target]));
    } catch {
      // absent: nothing to hide
    }
  }
  return args;
}

/**
 * bwrap arguments that run `argv` inside the sandbox: a new root with only the system folders and
 * Node's installation read-only (confine.ts systemPaths), /dev, /proc, a private /tmp, and the
 * writable folders. Nothing else of the host exists inside (home, other projects, planted files).
 * Hidden paths under a visible folder are covered. Mount order matters: later mounts win.
 */
export async function bubblewrapArgs(options: BubblewrapOptions, argv: string[], system: SystemPath[] = systemPaths()): Promise<string[]> {
  const home = homedir();
  const visible = [...system.filter((p) => !p.symlink).map((p) => p.path), ...options.writablePaths];
  const under = (target: string) => visible.some((dir) => target === dir || target.startsWith(`${dir}${path.sep}`));
  const hidden = [...CREDENTIAL_PATHS.map((relative) => path.join(home, relative)), ...(options.hiddenPaths ?? [])].filter(under);
  const binds = options.writablePaths.flatMap((dir) => ["--bind", dir, dir]);
  return [
    ...system.flatMap((p) => (p.symlink ? ["--symlink", p.symlink, p.path] : ["--ro-bind", p.path, p.path])),
    "--dev", "/dev",
    "--proc", "/proc",
    "--tmpfs", "/tmp",
    ...binds,
    ...(await hideArgs(hidden)),
    ...(options.network ? [] : ["--unshare-net"]),
    "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", "clade-sandbox",
    // Run by root (CI, containers), bwrap keeps every capability: the command could remount /usr or
    // /etc read-write and change the host's files. Dropped always (a no-op for other users).
    "--cap-drop", "ALL",
    "--die-with-parent",
    "--chdir", options.cwd,
    "--",
    ...argv,
  ];
}
