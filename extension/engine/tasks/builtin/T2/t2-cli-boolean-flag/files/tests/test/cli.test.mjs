import test from "node:test";
import assert from "node:assert/strict";
import { run } from "../cli/main.mjs";
import { parseArgs } from "../cli/parse-args.mjs";

test("greets as before", () => {
  assert.equal(run(["Ann", "Bo"]), "Hello, Ann!\nHello, Bo!");
  assert.equal(run(["--greeting", "Hi", "Ann"]), "Hi, Ann!");
});

test("--upper anywhere on the line", () => {
  assert.equal(run(["--upper", "Ann"]), "HELLO, ANN!");
  assert.equal(run(["Ann", "--upper", "--greeting", "Yo", "Bo"]), "YO, ANN!\nYO, BO!");
});

test("parser: booleans default to false and take no value", () => {
  const spec = { v: { type: "boolean" }, name: { type: "string", default: "x" } };
  assert.deepEqual(parseArgs([], spec), { flags: { v: false, name: "x" }, positionals: [] });
  assert.deepEqual(parseArgs(["--v", "file"], spec), { flags: { v: true, name: "x" }, positionals: ["file"] });
});

test("parser: errors", () => {
  const spec = { name: { type: "string" } };
  assert.throws(() => parseArgs(["--name"], spec), /missing value/);
  assert.throws(() => parseArgs(["--nope"], spec), /unknown option/);
});
