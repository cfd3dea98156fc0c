import test from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PORT, serverConfig } from "../server-config.mjs";

test("default port is 8080", () => {
  assert.equal(DEFAULT_PORT, 8080);
  assert.deepEqual(serverConfig(), { host: "localhost", port: 8080 });
});

test("explicit port wins", () => {
  assert.equal(serverConfig({ port: 1234 }).port, 1234);
  assert.equal(serverConfig({ host: "example.test" }).host, "example.test");
});
