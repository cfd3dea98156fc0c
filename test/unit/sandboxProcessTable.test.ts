// The process table that escape tracking relies on: parsing and a live snapshot of this machine.
import { describe, expect, it } from "vitest";
import { listProcesses, parseProcStat, parsePsOutput, readEnvironVariable } from "../../extension/engine/agent/sandbox/processTable";

describe("processTable", () => {
  it("parses /proc/<pid>/stat even when the command name has spaces and parentheses", () => {
    const line = "4242 (my (odd) name) S 4000 4100 4200 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 50 18446744073709551615";
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 4000, pgid: 4100, sid: 4200, startTime: 98765, state: "S" });
    expect(parseProcStat("garbage")).toBeUndefined();
  });

  it("parses ps output", () => {
    expect(parsePsOutput("  1     0     1\n 77    1   77\nbad line\n")).toEqual([
      { pid: 1, ppid: 0, pgid: 1, sid: -1, startTime: 0 },
      { pid: 77, ppid: 1, pgid: 77, sid: -1, startTime: 0 },
    ]);
  });

  it.runIf(process.platform === "linux")("sees this process and its parent in /proc, and reads its environment", async () => {
    const table = await listProcesses("proc");
    const self = table.find((info) => info.pid === process.pid);
    expect(self?.ppid).toBe(process.ppid);
    expect(self!.startTime).toBeGreaterThan(0);
    expect(readEnvironVariable(process.pid, "PATH")).toBe(process.env.PATH);
  });

  it("sees this process through ps as well", async () => {
    const table = await listProcesses("ps");
    expect(table.find((info) => info.pid === process.pid)?.ppid).toBe(process.ppid);
  });
});
