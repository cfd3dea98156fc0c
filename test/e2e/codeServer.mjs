// Starts code-server (a real VS Code, served to a browser) for the e2e tests, isolated from the
// machine's own settings: its own HOME, XDG dirs and TMPDIR, its own user-data and extensions dirs.
// It runs in its own session (setsid via `detached`), so stop() kills the whole process group:
// code-server, its extension hosts and the Clade engine processes they started.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The isolated folders one run uses, created empty under `root`. */
export function prepareDirs(root) {
  fs.rmSync(root, { recursive: true, force: true });
  const dirs = Object.fromEntries(
    ["home", "config", "data", "cache", "tmp", "userData", "extensions", "workspace"].map((name) => [name, path.join(root, name)]),
  );
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  return dirs;
}

/**
 * Writes the user settings, and the machine settings of the server (`clade.model.*` are
 * `scope: machine`, which VS Code reads only from the settings of the machine that runs the
 * extension: in code-server, <user-data>/Machine/settings.json).
 */
/**
 * A Hugging Face mirror on 127.0.0.1 (node-llama-cpp and Clade honour MODEL_ENDPOINT): every
 * `<user>/<repo>/resolve/<branch>/<file>.gguf` is `file`'s bytes, with ranges as the hub serves them.
 */
export async function startModelMirror(file) {
  const body = fs.readFileSync(file);
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (!/\/resolve\/[^/]+\/.+\.gguf(\?|$)/.test(req.url ?? "")) {
      res.writeHead(req.url === "/" ? 200 : 404, { "Content-Type": "text/plain" });
      res.end("clade e2e model mirror");
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Number(range[2]) : body.length - 1;
    res.writeHead(range ? 206 : 200, { "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream", "Content-Length": end - start + 1, ...(range ? { "Content-Range": `bytes ${start}-${end}/${body.length}` } : {}) });
    res.end(req.method === "HEAD" ? undefined : body.subarray(start, end + 1));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, requests, stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

export function writeSettings(dirs, { user, machine }) {
  const write = (folder, settings) => {
    const file = path.join(dirs.userData, folder, "settings.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  };
  write("User", user);
  write("Machine", machine);
}

async function waitHealthy(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server was not healthy within ${timeoutMs} ms`);
}

/**
 * Launches code-server on 127.0.0.1:port with `enable-smoke-test-driver` (which lets a URL payload
 * load an extension under development and run extension tests) and waits for /healthz. With
 * `trust`, workspace trust stays on (the restricted-mode test opens an untrusted folder).
 */
export async function startCodeServer({ nodeBin, entry, port, dirs, logFile, trust = false, env: extraEnv = {} }) {
  const args = [
    entry,
    "--bind-addr", `127.0.0.1:${port}`,
    "--auth", "none",
    "--user-data-dir", dirs.userData,
    "--extensions-dir", dirs.extensions,
    "--disable-telemetry",
    "--disable-update-check",
    ...(trust ? [] : ["--disable-workspace-trust"]),
    "--reconnection-grace-time", "5",
    "--vscode-option", "enable-smoke-test-driver",
    dirs.workspace,
  ];
  const env = {
    PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ""}`,
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    TMPDIR: dirs.tmp,
    LANG: process.env.LANG ?? "C.UTF-8",
    ...extraEnv,
  };
  const log = fs.openSync(logFile, "w");
  const child = spawn(nodeBin, args, { env, detached: true, stdio: ["ignore", log, log] });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(child);
  try {
    await waitHealthy(url, child, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, pid: child.pid, stop };
}

/** SIGTERM to the whole process group, SIGKILL to what is left after 3 s. */
async function stopGroup(child) {
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  if (!signalGroup("SIGTERM")) return;
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!signalGroup(0)) return;
  }
  signalGroup("SIGKILL");
}
