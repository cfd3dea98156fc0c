// What a confined command may see of the machine, and the util-linux `unshare` confinement for Linux
// machines without bubblewrap. Both bubblewrap and unshare build the same view: a new root holding
// only the system folders (read-only), the Node installation that runs the tests, /dev, a fresh
// /proc and /tmp, and the run's writable folders (the sandbox, its HOME and TMPDIR). Nothing else of
// the host exists inside: not the user's home, not other users' files, not the task's hidden tests,
// not a file planted anywhere else. The network is a private loopback unless a suite asks for it.
import { execFile } from "node:child_process";
import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { chmod, mkdir, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { CladeError } from "../../../protocol/errors";

/** Read-only system folders every command may need (shells, coreutils, libc, certificates, locale). */
const SYSTEM_PATHS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];

export interface SystemPath {
  path: string;
  /** A symlink (merged-/usr systems: /bin -> usr/bin) is recreated, not bound. */
  symlink?: string;
}

/** The system folders present here, and the Node installation running Clade (its prefix). */
export function systemPaths(execPath = process.execPath): SystemPath[] {
  const found: SystemPath[] = [];
  for (const candidate of SYSTEM_PATHS) {
    try {
      const info = lstatSync(candidate);
      found.push(info.isSymbolicLink() ? { path: candidate, symlink: readlinkSync(candidate) } : { path: candidate });
    } catch {
      // absent on this system
    }
  }
  const node = nodePrefix(execPath);
  if (node && !found.some((p) => !p.symlink && (node === p.path || node.startsWith(`${p.path}/`)))) found.push({ path: node });
  return found;
}

/** …/bin/node → … (the installation: bin/, lib/node_modules for npm and npx). */
export function nodePrefix(execPath: string): string | undefined {
  try {
    const real = realpathSync(execPath);
    return path.basename(path.dirname(real)) === "bin" ? path.dirname(path.dirname(real)) : path.dirname(real);
  } catch {
    return undefined;
  }
}

export interface ConfineOptions {
  cwd: string;
  /** Bound read-write at the same path. */
  writablePaths: string[];
  /** Keep the host network (a suite's `network: true`). */
  network?: boolean;
  /** Covered inside the new root where they are visible (an empty tmpfs over a folder, /dev/null over a file). */
  hiddenPaths?: string[];
  /** An empty folder the new root is mounted on (in the run's scratch folder, removed with it). */
  rootDir: string;
}

/**
 * The shell script, run as root of a new user + mount + pid namespace, that mounts the new root on
 * $1 (a folder prepareConfineRoot filled with the empty mount points and the symlinks, so the script
 * spawns one `mount` per mount and nothing else), makes that skeleton read-only except its /tmp
 * (a folder of the run's, removed with it), pivots into it and execs the command with no
 * capabilities (setpriv; otherwise the namespace's root could remount the system folders writable,
 * which writes the host's files where Clade runs as root: CI, containers). Arguments: ROOT
 * CWD, then pairs of (kind, path) with kind ro | rw | hide, then `--`, then the command's argv.
 */
export const CONFINE_SCRIPT = `set -e
root=$1; cwd=$2; shift 2
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --bind "$root/tmp" "$root/tmp"
while [ "$1" != "--" ]; do
  kind=$1; p=$2; shift 2
  case "$kind" in
    hide) if [ -d "$root$p" ]; then mount -t tmpfs -o mode=755,ro clade-hidden "$root$p"; elif [ -e "$root$p" ]; then mount --bind /dev/null "$root$p"; fi ;;
    ro) mount --rbind -o ro "$p" "$root$p" ;;
    *) mount --rbind "$p" "$root$p" ;;
  esac
done
shift
mount -o remount,bind,ro "$root"
cd "$root"
pivot_root . .old
umount -l /.old
cd "$cwd"
exec setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- "$@"`;

/** The unshare command line that runs `argv` confined (Linux); its root folder is made by prepareConfineRoot. */
export function unshareArgs(options: ConfineOptions, argv: string[], paths: SystemPath[] = systemPaths()): string[] {
  const mounts: string[] = [];
  for (const p of paths) if (!p.symlink) mounts.push("ro", p.path);
  for (const dir of options.writablePaths) mounts.push("rw", dir);
  for (const hidden of options.hiddenPaths ?? []) mounts.push("hide", hidden);
  return [
    "unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "--kill-child", "--ipc", "--uts",
    ...(options.network ? [] : ["--net"]),
    "--", "/bin/sh", "-c", CONFINE_SCRIPT, "clade-confine", options.rootDir, options.cwd, ...mounts, "--", ...argv,
  ];
}

/**
 * Fills the (empty) root folder with what the script mounts on: /proc, /dev, /tmp, /.old, an empty
 * folder (or file) at each bound path, and the system symlinks (merged /usr). Done here, with no
 * processes: the script then runs one `mount` per mount. The folder is read-only inside.
 */
export async function prepareConfineRoot(options: ConfineOptions, paths: SystemPath[] = systemPaths()): Promise<void> {
  const root = options.rootDir;
  await Promise.all(["proc", "dev", "tmp", ".old"].map((dir) => mkdir(path.join(root, dir))));
  await chmod(path.join(root, "tmp"), 0o1777);
  for (const p of paths) {
    if (p.symlink) await symlink(p.symlink, path.join(root, p.path));
  }
  for (const bound of [...paths.filter((p) => !p.symlink).map((p) => p.path), ...options.writablePaths]) {
    const target = path.join(root, bound);
    const info = await stat(bound).catch(() => undefined);
    if (info && !info.isDirectory()) {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, "");
    } else {
      await mkdir(target, { recursive: true });
    }
  }
}

let probed: Promise<string> | undefined;

/** Path of a working unshare (the namespaces and mounts this needs work here); probed once per process. */
export function ensureUnshare(): Promise<string> {
  probed ??= new Promise<string>((resolve, reject) => {
    const unshare = ["/usr/bin/unshare", "/bin/unshare"].find((file) => existsSync(file));
    const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].some((file) => existsSync(file));
    if (process.platform !== "linux" || !unshare || !setpriv) {
      reject(new CladeError("sandbox-unavailable", process.platform === "linux" ? `util-linux \`${unshare ? "setpriv" : "unshare"}\` is not installed.` : `The unshare sandbox needs Linux (this is ${process.platform}).`, "Install util-linux (it is on nearly every Linux), or bubblewrap."));
      return;
    }
    const args = ["--user", "--map-root-user", "--mount", "--pid", "--fork", "--net", "--", "/bin/sh", "-c", "mount -t tmpfs none /mnt 2>/dev/null || mount -t tmpfs none /tmp; exec setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- echo ok"];
    execFile(unshare, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (!error && stdout.trim() === "ok") resolve(unshare);
      else reject(new CladeError("sandbox-unavailable", `unshare cannot create the namespaces it needs here: ${stderr.trim() || error?.message || stdout.trim()}`, "Allow unprivileged user namespaces (e.g. `sudo sysctl kernel.unprivileged_userns_clone=1`; on Ubuntu 24.04+ `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`), or install bubblewrap."));
    });
  }).catch((error: unknown) => {
    probed = undefined;
    throw error;
  });
  return probed;
}
