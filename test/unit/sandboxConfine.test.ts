// The confinement command lines (what a confined command may see), and the macOS profile, which
// cannot run here: checked for syntax (balanced forms, escaped strings) and content.
import { describe, expect, it } from "vitest";
import { mkdtemp, readdir, readlink, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { bubblewrapArgs } from "../../extension/engine/agent/sandbox/bubblewrap";
import { CONFINE_SCRIPT, nodePrefix, prepareConfineRoot, unshareArgs, type SystemPath } from "../../extension/engine/agent/sandbox/confine";
import { sandboxExecProfile, sbplString } from "../../extension/engine/agent/sandbox/sandboxExecProfile";

const system: SystemPath[] = [{ path: "/usr" }, { path: "/bin", symlink: "usr/bin" }, { path: "/etc" }, { path: "/opt/node-v20" }];

describe("unshare confinement", () => {
  it("binds only the system folders read-only, recreates symlinks, binds the sandbox read-write, and cuts the network", () => {
    const argv = unshareArgs({ cwd: "/tmp/box/work", writablePaths: ["/tmp/box"], rootDir: "/tmp/run/root" }, ["/bin/sh", "-c", "npm test"], system);
    expect(argv.slice(0, 10)).toEqual(["unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "--kill-child", "--ipc", "--uts", "--net"]);
    const script = argv.indexOf(CONFINE_SCRIPT);
    expect(argv.slice(script + 1)).toEqual(["clade-confine", "/tmp/run/root", "/tmp/box/work", "ro", "/usr", "ro", "/etc", "ro", "/opt/node-v20", "rw", "/tmp/box", "--", "/bin/sh", "-c", "npm test"]);
    expect(unshareArgs({ cwd: "/b", writablePaths: ["/b"], rootDir: "/r", network: true }, ["true"], system)).not.toContain("--net");
  });

  it("builds the new root on a prepared skeleton, read-only but for /tmp, and pivots into it (the host's folders are not there)", async () => {
    expect(CONFINE_SCRIPT).toMatch(/mount --bind "\$root" "\$root"/);
    expect(CONFINE_SCRIPT).toMatch(/ro\) mount --rbind -o ro "\$p" "\$root\$p"/);
    expect(CONFINE_SCRIPT).toMatch(/mount -o remount,bind,ro "\$root"\n/);
    expect(CONFINE_SCRIPT).toMatch(/pivot_root \. \.old\numount -l \/\.old/);
    const rootDir = await mkdtemp(path.join(os.tmpdir(), "clade-root-test-"));
    try {
      const file = path.join(rootDir, "..", `${path.basename(rootDir)}-file`);
      await writeFile(file, "x");
      await prepareConfineRoot({ cwd: "/tmp/box/work", writablePaths: ["/tmp/box/work", file], rootDir }, system);
      expect((await readdir(rootDir)).sort()).toEqual([".old", "bin", "dev", "etc", "opt", "proc", "tmp", "usr"]);
      expect(await readlink(path.join(rootDir, "bin"))).toBe("usr/bin");
      expect((await stat(path.join(rootDir, "tmp/box/work"))).isDirectory()).toBe(true);
      expect((await stat(path.join(rootDir, file))).isFile()).toBe(true);
      expect((await stat(path.join(rootDir, "tmp"))).mode & 0o1777).toBe(0o1777);
      await rm(file);
    } finally {
      await rm(rootDir, { recursive: true, force: true });
    }
  });

  it("finds Node's installation from its binary", () => {
    expect(nodePrefix(process.execPath)).toBeTruthy();
  });
});

describe("bubblewrap confinement", () => {
  it("has no ro-bind of /, only the system folders; hides what is hidden only where visible", async () => {
    const args = await bubblewrapArgs({ cwd: "/tmp/box/work", writablePaths: ["/tmp/box"], hiddenPaths: ["/tmp/box/work/.hidden", "/srv/elsewhere"] }, ["/bin/sh", "-c", "x"], system);
    const text = args.join(" ");
    expect(text).not.toMatch(/--ro-bind \/ \//);
    expect(text).toMatch(/^--ro-bind \/usr \/usr --symlink usr\/bin \/bin --ro-bind \/etc \/etc --ro-bind \/opt\/node-v20 \/opt\/node-v20 --dev \/dev --proc \/proc --tmpfs \/tmp --bind \/tmp\/box \/tmp\/box/);
    expect(text).toContain("--unshare-net");
    expect(text).not.toContain("/srv/elsewhere");
  });
});

describe("the macOS sandbox-exec profile", () => {
  const profile = sandboxExecProfile({ writablePaths: ["/private/var/folders/x/clade-box", '/tmp/we"ird\\dir'], home: "/Users/ada" });

  it("is well-formed SBPL: balanced parentheses outside strings, every string closed", () => {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < profile.length; i++) {
      const c = profile[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "(") depth++;
      else if (c === ")") depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(inString).toBe(false);
    expect(depth).toBe(0);
    expect(profile.startsWith("(version 1)")).toBe(true);
    expect(sbplString('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it("denies the network, writes outside the run's folders, and reads of the homes", () => {
    expect(profile).toContain("(deny network*)");
    expect(profile).toMatch(/\(deny file-write\*\)\n\(allow file-write\* \(subpath "\/private\/var\/folders\/x\/clade-box"\) \(subpath "\/tmp\/we\\"ird\\\\dir"\)/);
    expect(profile).toMatch(/\(deny file-read\* \(subpath "\/Users\/ada"\) \(subpath "\/Users"\)/);
    expect(sandboxExecProfile({ writablePaths: ["/b"], network: true, home: "/Users/ada" })).not.toContain("network");
  });
});
