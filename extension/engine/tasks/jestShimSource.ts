// The source of the Jest-compatibility shim that lets Exercism/Aider-Polyglot JavaScript tests
// (Jest globals, extensionless imports, ESM in .js files) run with plain `node --test` and no npm
// install. Kept as text so the bundled engine can write it out (see jestShim.ts). It must contain
// no backtick and no dollar-brace (it lives in String.raw templates).

export const jestRegisterSource = String.raw`// Jest-style globals on top of node:test, so Exercism-style JavaScript tests run with plain Node
// (no npm install): test/it/describe (+ x-variants, .skip, .only, .each), lifecycle hooks, expect.
import { register } from "node:module";
import * as nodeTest from "node:test";
import { inspect } from "node:util";

register("./hooks.mjs", import.meta.url);

function wrapFn(fn) {
  if (typeof fn !== "function") return fn;
  if (fn.length === 0) return () => fn();
  // Jest's done-callback style.
  return () => new Promise((resolve, reject) => {
    const done = (error) => (error ? reject(error) : resolve());
    done.fail = (error) => reject(error instanceof Error ? error : new Error(String(error)));
    try { fn(done); } catch (error) { reject(error); }
  });
}

function formatTitle(title, args) {
  let i = 0;
  return String(title).replace(/%[sdifjop%#]/g, (m) => (m === "%%" ? "%" : m === "%#" ? String(i) : inspect(args[i++])));
}

function withEach(run) {
  const make = (title, fn, timeout) => run(title, wrapFn(fn), timeout);
  make.each = (table) => (title, fn, timeout) => {
    table.forEach((row, index) => {
      const args = Array.isArray(row) ? row : [row];
      const name = formatTitle(title, args).replace(/\$(\w+)/g, (_, key) => (row && typeof row === "object" && key in row ? inspect(row[key]) : "$" + key));
      run(name + (table.length > 1 && name === title ? " #" + index : ""), () => fn(...args), timeout);
    });
  };
  return make;
}

const testFn = (title, fn) => nodeTest.test(title, fn);
const skipFn = (title, fn) => nodeTest.test(title, { skip: true }, fn);
const onlyFn = (title, fn) => nodeTest.test(title, { only: true }, fn);
const describeFn = (title, fn) => nodeTest.describe(title, fn);
const describeSkip = (title, fn) => nodeTest.describe(title, { skip: true }, fn);

const test = withEach(testFn);
test.skip = withEach(skipFn);
test.only = withEach(onlyFn);
test.todo = (title) => nodeTest.test(title, { todo: true });
const describe = withEach(describeFn);
describe.skip = withEach(describeSkip);
describe.only = withEach(describeFn);

Object.assign(globalThis, {
  test, it: test, xtest: test.skip, xit: test.skip, fit: test.only,
  describe, xdescribe: describe.skip, fdescribe: describe.only,
  beforeAll: (fn) => nodeTest.before(wrapFn(fn)), afterAll: (fn) => nodeTest.after(wrapFn(fn)),
  beforeEach: (fn) => nodeTest.beforeEach(wrapFn(fn)), afterEach: (fn) => nodeTest.afterEach(wrapFn(fn)),
});

// ---------------------------------------------------------------- expect
const ANY = Symbol("any");
function equals(a, b, strict) {
  if (a && a[ANY]) return a.match(b);
  if (b && b[ANY]) return b.match(a);
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof RegExp || b instanceof RegExp) return String(a) === String(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([k, v]) => b.has(k) && equals(v, b.get(k), strict));
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((v) => b.has(v) || [...b].some((w) => equals(v, w, strict)));
  if (Array.isArray(a) && a.length !== b.length) return false;
  const keys = (o) => Object.keys(o).filter((k) => strict || o[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equals(a[k], b[k], strict));
}

function matchesObject(actual, expected) {
  if (typeof expected !== "object" || expected === null || typeof actual !== "object" || actual === null) return equals(actual, expected, false);
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matchesObject(actual[i], e));
  return Object.keys(expected).every((k) => k in actual && matchesObject(actual[k], expected[k]));
}

class ExpectError extends Error {
  constructor(message) { super(message); this.name = "ExpectError"; }
}

function thrownBy(fn) {
  try { fn(); } catch (error) { return { threw: true, error }; }
  return { threw: false };
}

function throwMatches(error, expected) {
  if (expected === undefined) return true;
  const message = error && typeof error === "object" && "message" in error ? String(error.message) : String(error);
  if (typeof expected === "string") return message.includes(expected);
  if (expected instanceof RegExp) return expected.test(message);
  if (typeof expected === "function") return error instanceof expected;
  if (expected && typeof expected === "object") return message === expected.message;
  return false;
}

function matchers(actual) {
  return {
    toBe: (e) => [Object.is(actual, e), "to be " + inspect(e)],
    toEqual: (e) => [equals(actual, e, false), "to equal " + inspect(e, { depth: 6 })],
    toStrictEqual: (e) => [equals(actual, e, true), "to strictly equal " + inspect(e, { depth: 6 })],
    toMatchObject: (e) => [matchesObject(actual, e), "to match object " + inspect(e, { depth: 6 })],
    toBeCloseTo: (e, digits = 2) => [Math.abs(actual - e) < 10 ** -digits / 2, "to be close to " + e],
    toBeTruthy: () => [Boolean(actual), "to be truthy"],
    toBeFalsy: () => [!actual, "to be falsy"],
    toBeNull: () => [actual === null, "to be null"],
    toBeUndefined: () => [actual === undefined, "to be undefined"],
    toBeDefined: () => [actual !== undefined, "to be defined"],
    toBeNaN: () => [Number.isNaN(actual), "to be NaN"],
    toBeGreaterThan: (e) => [actual > e, "to be greater than " + e],
    toBeGreaterThanOrEqual: (e) => [actual >= e, "to be >= " + e],
    toBeLessThan: (e) => [actual < e, "to be less than " + e],
    toBeLessThanOrEqual: (e) => [actual <= e, "to be <= " + e],
    toBeInstanceOf: (e) => [actual instanceof e, "to be an instance of " + (e && e.name)],
    toContain: (e) => [typeof actual === "string" ? actual.includes(e) : [...actual].includes(e), "to contain " + inspect(e)],
    toContainEqual: (e) => [[...actual].some((x) => equals(x, e, false)), "to contain an element equal to " + inspect(e)],
    toHaveLength: (e) => [actual != null && actual.length === e, "to have length " + e],
    toHaveProperty: (key, ...value) => {
      const path = Array.isArray(key) ? key : String(key).split(".");
      let cur = actual;
      for (const part of path) {
        if (cur == null || !(part in Object(cur))) return [false, "to have property " + key];
        cur = cur[part];
      }
      return [value.length === 0 || equals(cur, value[0], false), "to have property " + key + (value.length ? " = " + inspect(value[0]) : "")];
    },
    toMatch: (e) => [typeof e === "string" ? String(actual).includes(e) : e.test(String(actual)), "to match " + e],
    toThrow: (e) => {
      const result = thrownBy(actual);
      return [result.threw && throwMatches(result.error, e), "to throw" + (e === undefined ? "" : " " + inspect(e))];
    },
  };
}

function build(actual, negate, mode) {
  const table = matchers(actual);
  table.toThrowError = table.toThrow;
  const out = {};
  for (const [name, check] of Object.entries(table)) {
    out[name] = (...args) => {
      const run = (value) => {
        const [ok, what] = (value === actual ? table : matchers(value))[name](...args);
        if (ok === negate) throw new ExpectError("expected " + inspect(value, { depth: 6 }) + (negate ? " not " : " ") + what);
      };
      if (mode === "resolves") return Promise.resolve(actual).then(run);
      if (mode === "rejects") return Promise.resolve(actual).then(
        (v) => { throw new ExpectError("expected a rejection, got " + inspect(v)); },
        (error) => (name === "toThrow" || name === "toThrowError" ? run(() => { throw error; }) : run(error)),
      );
      run(actual);
      return undefined;
    };
  }
  return out;
}

function expect(actual) {
  const positive = build(actual, false);
  positive.not = build(actual, true);
  positive.resolves = build(actual, false, "resolves");
  positive.resolves.not = build(actual, true, "resolves");
  positive.rejects = build(actual, false, "rejects");
  positive.rejects.not = build(actual, true, "rejects");
  return positive;
}
const any = (match, label) => ({ [ANY]: true, match, toString: () => label, [inspect.custom]: () => label });
expect.any = (type) => any((v) => v != null && (Object(v) instanceof type || (type === Number && typeof v === "number") || (type === String && typeof v === "string")), "Any<" + type.name + ">");
expect.anything = () => any((v) => v != null, "Anything");
expect.assertions = () => {};
expect.hasAssertions = () => {};
globalThis.expect = expect;
`;

export const jestHooksSource = String.raw`// Module hooks for Exercism-style tests: extensionless relative imports ("./two-fer") resolve to
// .js/.mjs/.cjs or index files, and ESM syntax in a .js file outside a "type": "module" package
// loads as ESM (what Babel does under Jest).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const suffixes = [".js", ".mjs", ".cjs", "/index.js", "/index.mjs"];

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const code = error && error.code;
    if ((code !== "ERR_MODULE_NOT_FOUND" && code !== "ERR_UNSUPPORTED_DIR_IMPORT") || !/^\.{1,2}\//.test(specifier)) throw error;
    for (const suffix of suffixes) {
      try {
        return await next(specifier + suffix, context);
      } catch {
        // try the next suffix
      }
    }
    throw error;
  }
}

export async function load(url, context, next) {
  const result = await next(url, context);
  if (result.format === "commonjs" && url.startsWith("file:") && url.endsWith(".js")) {
    const source = String(result.source ?? (await readFile(fileURLToPath(url), "utf8")));
    if (/^\s*(import\s|import\{|export\s|export\{)/m.test(source)) return { format: "module", source, shortCircuit: true };
  }
  return result;
}
`;
