// OutputCollector: the byte cap, head vs head-and-tail, counting beyond the cap.
import { describe, expect, it } from "vitest";
import { OutputCollector } from "../../extension/engine/agent/sandbox/OutputCollector";

const chunks = (text: string, size: number): Buffer[] => {
  const result: Buffer[] = [];
  for (let i = 0; i < text.length; i += size) result.push(Buffer.from(text.slice(i, i + size)));
  return result;
};

describe("OutputCollector", () => {
  it("keeps everything under the cap", () => {
    const collector = new OutputCollector(100);
    for (const chunk of chunks("hello world\n", 3)) collector.push(chunk);
    expect(collector.text()).toBe("hello world\n");
    expect(collector.truncated).toBe(false);
    expect(collector.overflowBytes).toBe(0);
  });

  it("keeps the first maxBytes in head mode and counts the rest", () => {
    const collector = new OutputCollector(10);
    const text = "0123456789abcdefghij";
    for (const chunk of chunks(text, 7)) collector.push(chunk);
    expect(collector.text()).toBe("0123456789");
    expect(collector.truncated).toBe(true);
    expect(collector.totalBytes).toBe(20);
    expect(collector.overflowBytes).toBe(10);
  });

  it("keeps the first and last halves in head-and-tail mode, saying how much was left out", () => {
    const collector = new OutputCollector(10, "head-and-tail");
    for (const chunk of chunks("0123456789abcdefghijKLMNO", 4)) collector.push(chunk);
    const text = collector.text();
    expect(text.startsWith("01234")).toBe(true);
    expect(text.endsWith("KLMNO")).toBe(true);
    expect(text).toContain("15 bytes of output omitted");
  });

  it("head-and-tail returns the whole text when it fits", () => {
    const collector = new OutputCollector(10, "head-and-tail");
    for (const chunk of chunks("0123456789", 3)) collector.push(chunk);
    expect(collector.text()).toBe("0123456789");
  });

  it("a zero cap keeps nothing but still counts", () => {
    const collector = new OutputCollector(0);
    collector.push(Buffer.from("abc"));
    expect(collector.text()).toBe("");
    expect(collector.truncated).toBe(true);
    expect(collector.overflowBytes).toBe(3);
  });
});
