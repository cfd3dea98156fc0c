// The Archive view's rows: a second click on the same row within the window is a double click.
import { describe, expect, it } from "vitest";
import { doubleClickDetector } from "../../extension/vscode/util/doubleClick";

describe("doubleClickDetector", () => {
  it("needs two clicks on the same row within the window, and starts over after one", () => {
    let now = 0;
    const click = doubleClickDetector(500, () => now);
    expect(click("n1")).toBe(false);
    now = 300;
    expect(click("n1")).toBe(true);
    now = 400;
    expect(click("n1")).toBe(false); // a third click is a new first click
    now = 1000;
    expect(click("n1")).toBe(false); // too late
    now = 1100;
    expect(click("n2")).toBe(false); // another row
    now = 1200;
    expect(click("n1")).toBe(false);
    now = 1300;
    expect(click("n1")).toBe(true);
  });
});
