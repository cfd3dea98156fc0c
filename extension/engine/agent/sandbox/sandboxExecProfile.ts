// The macOS confinement (`sandbox-exec -p PROFILE`): the same intent as the Linux minimal root in
// SBPL — no network (loopback neither, unless asked), no writes outside the run's writable folders
// (and /dev/null, /dev/tty), no reads of the user's home or other users' homes except those folders.
// System files stay readable (the shell, node, libraries). It cannot run on Linux: a unit test
// checks its syntax (balanced forms, quoted paths) and content; macOS itself is untested here.
import os from "node:os";

export interface SandboxExecOptions {
  writablePaths: string[];
  network?: boolean;
  /** The user's home (default os.homedir()); its contents are hidden except the writable folders. */
  home?: string;
}

/** An SBPL string literal: backslash and double quote escaped. */
export function sbplString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function sandboxExecProfile(options: SandboxExecOptions): string {
  const home = options.home ?? os.homedir();
  const writable = options.writablePaths.map((dir) => `(subpath ${sbplString(dir)})`).join(" ");
  return [
    "(version 1)",
    "(allow default)",
    // Reads: nothing under the homes, but the run's own folders.
    `(deny file-read* (subpath ${sbplString(home)}) (subpath "/Users") (subpath "/var/root"))`,
    `(allow file-read* ${writable})`,
    // Writes: only the run's folders and the usual devices.
    "(deny file-write*)",
    `(allow file-write* ${writable} (literal "/dev/null") (literal "/dev/tty") (literal "/dev/dtracehelper"))`,
    ...(options.network ? [] : ["(deny network*)"]),
  ].join("\n");
}
