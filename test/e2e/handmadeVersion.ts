// Adds one hand-made version to the e2e workspace's archive when the short real session made no
// reviewable child (random-weight models often produce only empty or invalid edits): a copy of the
// root's scaffold with one changed setting, recorded as a child of the root. Run as a bundled script:
//   node handmadeVersion.mjs WORKSPACE
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Archive } from "../../extension/engine/archive/archive";

const workspace = process.argv[2];
const archive = await Archive.open(workspace);
const dir = await fs.mkdtemp(path.join(os.tmpdir(), "clade-e2e-version-"));
try {
  const root = archive.root();
  if (!root) throw new Error(`no root version in ${workspace}`);
  await archive.exportNode(root.id, dir);
  const settings = path.join(dir, "src", "settings.ts");
  await fs.writeFile(settings, (await fs.readFile(settings, "utf8")).replace(/temperature: [0-9.]+,/, "temperature: 0.1,"));
  const node = await archive.addNode(root.id, dir, {
    origin: { kind: "self-edit", targetTask: null, diagnosis: { note: "hand-made for the e2e test" }, problemStatement: "Sample with a lower temperature." },
  });
  process.stdout.write(`${node.id}\n`);
} finally {
  await archive.dispose();
  await fs.rm(dir, { recursive: true, force: true });
}
