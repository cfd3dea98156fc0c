// The default confinement, for real: `auto` is bubblewrap where it works and util-linux unshare on a
// machine without it (here: bwrap hidden). In both, a command (as a task's test command or the agent's
// run_command runs it) cannot read a file planted outside its sandbox by absolute path, cannot reach a
// listener on 127.0.0.1, cannot write outside, and does not see hidden paths — while it still runs
// node and writes its sandbox. `process` is the documented fallback: the same probes leak there.
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveIsolation } from "../../extension/engine/agent/sandbox/isolation";
import { runCommand, type Isolation } from "../../extension/engine/agent/sandbox/runCommand";

const outside = mkdtempSync(path.join(os.tmpdir(), "clade-planted-"));
const planted = path.join(outside, "planted-secret.txt");
let server: net.Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  writeFileSync(planted, "PLANTED-SECRET");
  server = net.createServer((socket) => {
    connections += 1;
    socket.on("error", () => undefined); // the probe exits at once; a reset is expected
    socket.end("hello");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(() => server.close());

const etcProbe = `/etc/clade-confine-probe-${process.pid}`;
afterAll(() => rmSync(etcProbe, { force: true }));

function box(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clade-confine-box-"));
  mkdirSync(path.join(dir, "secret-tests"));
  writeFileSync(path.join(dir, "secret-tests", "hidden.test.mjs"), "HIDDEN-TEST");
  return dir;
}

const probe = (isolation: Isolation, cwd: string, extra: { network?: boolean } = {}) =>
  runCommand({
    cwd, isolation, timeoutMs: 20_000, maxOutputBytes: 64 * 1024, writablePaths: [cwd], hiddenPaths: [path.join(cwd, "secret-tests")], ...extra,
    command: [
      `cat ${planted} 2>&1 || true`,
      `cat secret-tests/hidden.test.mjs 2>&1 || true`,
      `echo x > ${path.join(outside, "written.txt")} 2>&1 || true`,
      `echo inside > made.txt && cat made.txt`,
      `node -e "require('net').connect(${port},'127.0.0.1',()=>{console.log('CONNECTED');process.exit(0)}).on('error',e=>{console.log('NET',e.code);process.exit(0)})"`,
      `ls ${os.homedir()} >/dev/null 2>&1 && echo HOME-VISIBLE || echo HOME-HIDDEN`,
      // Run as root (CI, containers), the sandbox's root must not be able to unlock the system folders.
      `mount -o remount,bind,rw /etc 2>/dev/null && echo REMOUNTED; (echo x > ${etcProbe}) 2>/dev/null && echo WROTE-ETC`,
      `grep CapEff /proc/self/status`,
    ].join("; "),
  });

describe("auto confinement", () => {
  it("resolves to bubblewrap where it works, and to unshare on a machine without it", async () => {
    expect(await resolveIsolation("auto")).toMatchObject({ mode: "bwrap" });
    const without = await resolveIsolation("auto", { withoutBubblewrap: true });
    expect(without.mode).toBe("unshare");
    expect(without.reason).toMatch(/unshare.*bubblewrap: not on PATH/);
    expect((await resolveIsolation("process")).warning).toMatch(/can read your files outside the sandbox.*Install bubblewrap/);
  });

  for (const isolation of ["bwrap", "unshare"] as const) {
    it(`${isolation}: no planted file, no hidden tests, no write outside, no TCP to 127.0.0.1, no home — and node and the sandbox work`, async () => {
      const cwd = box();
      const before = connections;
      const result = await probe(isolation, cwd);
      const out = result.output;
      expect(out).not.toContain("PLANTED-SECRET");
      expect(out).not.toContain("HIDDEN-TEST");
      expect(existsSync(path.join(outside, "written.txt"))).toBe(false);
      expect(out).toContain("inside");
      expect(readFileSync(path.join(cwd, "made.txt"), "utf8")).toBe("inside\n");
      expect(out).toMatch(/NET E\w+/);
      expect(out).not.toContain("CONNECTED");
      expect(connections).toBe(before);
      expect(out).toContain("HOME-HIDDEN");
      expect(out).not.toContain("REMOUNTED");
      expect(out).not.toContain("WROTE-ETC");
      expect(existsSync(etcProbe)).toBe(false);
      expect(out).toMatch(/CapEff:\s+0+\n/);
    });
  }

  it("unshare with a suite's network opt-in reaches the listener", async () => {
    const before = connections;
    const result = await probe("unshare", box(), { network: true });
    expect(result.output).toContain("CONNECTED");
    expect(connections).toBe(before + 1);
  });

  it("process (the fallback): the same probes leak, which is why it warns", async () => {
    const result = await probe("process", box());
    expect(result.output).toContain("PLANTED-SECRET");
    expect(result.output).toContain("CONNECTED");
  });
});
