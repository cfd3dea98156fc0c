// One agent run's sandbox: a fresh copy of the task's starting files, plus a private HOME and
// TMPDIR, in a folder of its own. File tools resolve every path through resolvePath; commands run
// through run(), which scrubs the environment and kills everything they start.
//
//   <parentDir>/<name>-XXXXXX/
//     work/   ← root: the copy of sourceDir, the agent's cwd
//     home/   ← HOME
//     tmp/    ← TMPDIR
import { mkdir, mkdtemp, realpath, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CladeError } from "../../../protocol/errors";
import { resolveIsolation } from "./isolation";
import { copyTree } from "./copyTree";
import { removeTree } from "./removeTree";
import { resolveInsideRoot, type AccessMode, type RootSpec } from "./resolveInsideRoot";
import { runCommand, type CommandResult, type Isolation, type RunCommandOptions } from "./runCommand";
import { scrubEnv } from "./scrubEnv";

export interface Sandbox {
  /** Real path of the working copy (the agent's cwd). */
  readonly root: string;
  readonly homeDir: string;
  readonly tmpDir: string;
  readonly isolation: Isolation;
  /** Real path inside the root for `p` (relative to the root, or absolute inside it); CladeError "sandbox-violation" otherwise. */
  resolvePath(p: string, mode: "read" | "write"): Promise<string>;
  /** The scrubbed environment commands get: HOME, TMPDIR inside the sandbox, `extra` on top. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** runCommand with cwd (default the root, relative to it), env, isolation and writable paths filled in. */
  run(options: SandboxRunOptions): Promise<CommandResult>;
  /** Stops running commands and deletes the sandbox folder. Idempotent. */
  dispose(): Promise<void>;
}

export type SandboxRunOptions = Omit<RunCommandOptions, "cwd" | "isolation" | "writablePaths"> & { cwd?: string };

export interface CreateSandboxOptions {
  sourceDir: string;
  /** Where sandboxes are made (default: <os tmpdir>/clade-sandboxes). */
  parentDir?: string;
  /** Readable prefix of the folder name (e.g. the task id). */
  name?: string;
  /** How run() confines commands (default "auto": the strongest this machine offers); checked here, failing early. */
  isolation?: Isolation;
  /** Confined modes: paths hidden from commands even under a visible folder. */
  hiddenPaths?: string[];
  /** Confined modes: commands may use the network (a suite's `network: true`). */
  network?: boolean;
  /** A folder made earlier by reserveSandbox (an agent process may already be waiting in it). */
  reserved?: ReservedSandbox;
}

/** An empty sandbox folder (work/, home/, tmp/) made ahead of its run; createSandbox fills it. */
export interface ReservedSandbox {
  readonly container: string;
  /** The (empty) work folder: the future sandbox root. */
  readonly work: string;
  /** The scrubbed environment its commands and agent process get. */
  readonly env: Record<string, string>;
}

export async function reserveSandbox(opts: { parentDir?: string; name?: string } = {}): Promise<ReservedSandbox> {
  const parent = opts.parentDir ?? path.join(tmpdir(), "clade-sandboxes");
  await mkdir(parent, { recursive: true });
  const container = await realpath(await mkdtemp(path.join(parent, `${safeName(opts.name)}-`)));
  await Promise.all(["work", "home", "tmp"].map((dir) => mkdir(path.join(container, dir))));
  return { container, work: path.join(container, "work"), env: scrubEnv(process.env, { HOME: path.join(container, "home"), TMPDIR: path.join(container, "tmp") }) };
}

/** Removes a reserved sandbox that was not used. */
export function releaseReservedSandbox(reserved: ReservedSandbox): Promise<void> {
  return removeTree(reserved.container);
}

function safeName(name: string | undefined): string {
  const cleaned = (name ?? "sandbox").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+/, "").slice(0, 40);
  return cleaned || "sandbox";
}

async function assertSourceDir(sourceDir: string): Promise<string> {
  const info = await stat(sourceDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CladeError("invalid-argument", `The task's starting files are not a folder: ${sourceDir}`, "Check the task suite: each task needs a folder of starting files.");
  }
  return realpath(sourceDir);
}

class DirectorySandbox implements Sandbox {
  private disposed = false;
  private readonly running = new Set<AbortController>();

  constructor(
    private readonly container: string,
    private readonly rootSpec: RootSpec,
    readonly isolation: Isolation,
    private readonly hiddenPaths: string[],
    private readonly network = false,
  ) {}

  get root(): string {
    return this.rootSpec.real;
  }
  get homeDir(): string {
    return path.join(this.container, "home");
  }
  get tmpDir(): string {
    return path.join(this.container, "tmp");
  }

  private assertOpen(): void {
    if (this.disposed) throw new CladeError("invalid-argument", "The sandbox was already disposed.", "Create a new sandbox for a new run.");
  }

  async resolvePath(p: string, mode: AccessMode): Promise<string> {
    this.assertOpen();
    return resolveInsideRoot(this.rootSpec, p, mode);
  }

  env(extra?: Record<string, string>): Record<string, string> {
    return scrubEnv(process.env, { HOME: this.homeDir, TMPDIR: this.tmpDir, ...extra });
  }

  async run(options: SandboxRunOptions): Promise<CommandResult> {
    this.assertOpen();
    const cwd = options.cwd === undefined ? this.root : await this.resolvePath(options.cwd, "read");
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    this.running.add(controller);
    try {
      return await runCommand({
        ...options,
        cwd,
        env: options.env ?? this.env(),
        signal,
        isolation: this.isolation,
        writablePaths: [this.container],
        hiddenPaths: [...this.hiddenPaths, ...(options.hiddenPaths ?? [])],
        network: options.network ?? this.network,
      });
    } finally {
      this.running.delete(controller);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const controller of this.running) controller.abort();
    while (this.running.size > 0) await new Promise((wake) => setTimeout(wake, 5));
    await removeTree(this.container);
  }
}

export async function createSandbox(opts: CreateSandboxOptions): Promise<Sandbox> {
  const source = await assertSourceDir(opts.sourceDir);
  // Agent commands get the strongest confinement this machine offers unless told otherwise; a mode
  // that cannot work here fails now, before any file is copied.
  const isolation = opts.isolation ?? "auto";
  await resolveIsolation(isolation);
  const parent = opts.parentDir ?? path.join(tmpdir(), "clade-sandboxes");
  const insideSource = (dir: string): boolean => dir === source || dir.startsWith(source + path.sep);
  const refuse = (): CladeError => new CladeError("invalid-argument", "The sandbox would be created inside the task's own files.", "Choose a parentDir outside the task folder.");
  if (insideSource(path.resolve(parent))) throw refuse(); // before mkdir: never write into the source
  await mkdir(parent, { recursive: true });
  if (insideSource(await realpath(parent))) throw refuse();
  const container = opts.reserved ? opts.reserved.container : await realpath(await mkdtemp(path.join(parent, `${safeName(opts.name)}-`)));
  try {
    const work = path.join(container, "work");
    if (opts.reserved) await copyTree(source, work, { destExists: true });
    else await Promise.all([copyTree(source, work), mkdir(path.join(container, "home")), mkdir(path.join(container, "tmp"))]);
    const aliases = [path.join(path.resolve(parent), path.basename(container), "work")].filter((alias) => alias !== work);
    return new DirectorySandbox(container, { real: work, aliases }, isolation, opts.hiddenPaths ?? [], opts.network === true);
  } catch (error) {
    await removeTree(container).catch(() => undefined);
    throw error;
  }
}
