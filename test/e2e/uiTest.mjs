// UI tests in a real browser (Debian chromium driven by playwright-core) against code-server with the
// extension under development loaded by URL: open the Clade view container, run "Clade: Show Model
// Info" from the command palette, wait for the info document. Screenshots go to `shotsDir`.
import fs from "node:fs";
import path from "node:path";

const STEP_TIMEOUT = 60_000;

/** Runs the UI steps in order; a failed step fails the ones after it (they need its state). */
export async function runUiTests({ browser, url, expected, shotsDir, prepareUiAsk }) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleErrors = [];
  const cspViolations = [];
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  // Console messages of every frame, the webview's included: a CSP violation is a failure.
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(message.text())) cspViolations.push(message.text());
  });
  const shot = (name) => page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
  const modelBase = path.basename(expected.modelFile);
  const child = expected.archive?.child;
  const palette = async (command) => {
    await page.keyboard.press("Escape");
    await page.keyboard.press("F1");
    const input = page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor({ timeout: STEP_TIMEOUT });
    await input.fill(`>${command}`);
    await page.locator(".quick-input-list .monaco-list-row").filter({ hasText: command }).first().waitFor({ timeout: STEP_TIMEOUT });
    await page.keyboard.press("Enter");
  };
  /** Answers the open quick pick: types `text`, waits for a matching row, picks it. */
  const quickPick = async (text) => {
    const input = page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor({ timeout: STEP_TIMEOUT });
    if (text) await input.fill(text);
    await page.locator(".quick-input-list .monaco-list-row").filter({ hasText: text ?? "" }).first().waitFor({ timeout: STEP_TIMEOUT });
    await page.keyboard.press("Enter");
  };
  let ask;
  const archiveRow = (label) => page.locator(`.sidebar .monaco-list-row[aria-label^="${label}"]`).first();

  const steps = [
    ["UI: the workbench loads with the extension under development", async () => {
      await page.goto(url);
      await page.locator(".monaco-workbench .activitybar").waitFor({ timeout: STEP_TIMEOUT });
      await shot("01-workbench");
    }],
    ["UI: the Clade view container opens and shows the configured model", async () => {
      await page.locator('.activitybar [aria-label^="Clade"]').first().click({ timeout: STEP_TIMEOUT });
      await page.locator(".sidebar").getByText(modelBase, { exact: false }).first().waitFor({ timeout: STEP_TIMEOUT });
      await shot("02-clade-view");
    }],
    ["UI: \"Clade: Show Model Info\" from the command palette opens the info document", async () => {
      await page.locator(".monaco-workbench").click({ position: { x: 700, y: 450 } });
      await page.keyboard.press("F1");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.waitFor({ timeout: STEP_TIMEOUT });
      await input.fill(">Clade: Show Model Info");
      await page.locator(".quick-input-list .monaco-list-row").filter({ hasText: "Clade: Show Model Info" }).first().waitFor({ timeout: STEP_TIMEOUT });
      await shot("03-command-palette");
      await page.keyboard.press("Enter");
      await page.locator(".tabs-container .tab").filter({ hasText: "Model Info.md" }).first().waitFor({ timeout: STEP_TIMEOUT });
      // Rendered in the Markdown preview (a webview), the chat template folded.
      const preview = page.frameLocator("iframe.webview.ready").last().frameLocator("iframe#active-frame").locator("body");
      await preview.filter({ hasText: expected.architecture }).waitFor({ timeout: STEP_TIMEOUT });
      const text = (await preview.innerText()).replace(/\u00a0/g, " ");
      const count = expected.parameterCount.toLocaleString("en-US");
      if (!text.includes(count)) throw new Error(`the info document shows no parameter count ${count}:\n${text}`);
      await shot("04-model-info");
    }],
    ["UI: the status bar shows the loaded model and its backend", async () => {
      await page.locator(".statusbar .statusbar-item").filter({ hasText: /· (cpu|cuda|metal|vulkan)/ }).first().waitFor({ timeout: STEP_TIMEOUT });
      await shot("05-status-bar");
    }],
    ["UI: the Archive view lists the versions of the seeded session", async () => {
      if (!child) throw new Error("the seeded archive has no child to review");
      await page.locator(".sidebar .pane-header").filter({ hasText: "Archive" }).first().waitFor({ timeout: STEP_TIMEOUT });
      for (const node of expected.archive.nodes) await archiveRow(`${node.id}, `).waitFor({ timeout: STEP_TIMEOUT });
      await page.locator(".sidebar .pane-header").filter({ hasText: "Sessions" }).first().waitFor({ timeout: STEP_TIMEOUT });
      await shot("06-archive-tree");
    }],
    ["UI: a single click on an archive row only selects it; a double click opens its details in a kept tab", async () => {
      // A leaf: a double click on a row with children also folds it (VS Code's tree does, as the Explorer for folders).
      const id = child.id;
      const row = archiveRow(`${id}, `);
      const tab = page.locator(".tabs-container .tab").filter({ hasText: `Version ${id}` });
      await row.click();
      await page.waitForTimeout(1500);
      if (await tab.count()) throw new Error(`a single click on ${id} opened a tab`);
      await row.dblclick();
      await tab.first().waitFor({ timeout: STEP_TIMEOUT });
      // Kept, not a preview tab (VS Code writes a preview tab's title in italics).
      if (await tab.first().locator(".monaco-icon-label.italic").count()) throw new Error(`the details of ${id} opened in a preview tab`);
      // The Model Info preview is locked: it did not turn into a preview of the details.
      const previews = await page.locator(".tabs-container .tab").filter({ hasText: /Preview Version/ }).count();
      if (previews) throw new Error("the Model Info preview followed the details document (it is not locked)");
      await shot("06a-archive-double-click");
    }],
    ["UI: \"Clade: Show Diff vs Parent\" opens a diff editor", async () => {
      await palette("Clade: Show Diff vs Parent");
      await quickPick(child.id);
      if (child.files.length > 1) await quickPick(null);
      await page.locator(".monaco-diff-editor, .multiDiffEditor").first().waitFor({ timeout: STEP_TIMEOUT });
      await page.locator(".tabs-container .tab").filter({ hasText: child.id }).first().waitFor({ timeout: STEP_TIMEOUT });
      await shot("07-diff-vs-parent");
    }],
    ["UI: \"Clade: Accept Version\" makes the version active in the Archive view", async () => {
      await palette("Clade: Accept Version");
      await quickPick(child.id);
      await archiveRow(`${child.id}, active`).waitFor({ timeout: STEP_TIMEOUT });
      await shot("08-after-accept");
    }],
    ["UI: \"Clade: Revert Version\" marks it reverted", async () => {
      // With no version given, Revert acts on the active version (no pick).
      await palette("Clade: Revert Version");
      await archiveRow(`${child.id}, reverted`).waitFor({ timeout: STEP_TIMEOUT });
      await shot("09-after-revert");
    }],
    ["UI: \"Clade: Download Recommended Model\" recommends for this machine, downloads with progress, then sets the model", async () => {
      const { mirror, machineSettings, userSettings } = expected.download;
      await palette("Clade: Download Recommended Model");
      const title = page.locator(".quick-input-widget .quick-input-title");
      await title.filter({ hasText: /cores/ }).waitFor({ timeout: STEP_TIMEOUT });
      const titleText = await title.innerText();
      // This machine: no GPU, few cores. The recommendation is a small model, and says why.
      const first = page.locator(".quick-input-list .monaco-list-row").first();
      await first.waitFor({ timeout: STEP_TIMEOUT });
      const firstText = await first.innerText();
      if (!/no GPU in use/.test(titleText) && !/cuda|vulkan|metal/.test(titleText)) throw new Error(`the title does not describe the machine: ${titleText}`);
      if (!/recommended, /.test(firstText) || !/tokens\/s|GPU/.test(firstText)) throw new Error(`the first item does not say why it is recommended: ${firstText}`);
      await shot("15-download-recommended");
      const before = mirror.requests.length;
      await page.keyboard.press("Enter");
      // The Model view shows the downloaded file once the setting points at it (set only after the download).
      await page.locator(".sidebar .monaco-list-row").filter({ hasText: "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M" }).first().waitFor({ timeout: 120_000 });
      await page.locator(".sidebar .monaco-list-row").filter({ hasText: "parameters" }).first().waitFor({ timeout: STEP_TIMEOUT });
      if (!mirror.requests.slice(before).some((r) => /resolve\/main\/.*\.gguf/.test(r))) throw new Error(`the mirror saw no model request: ${mirror.requests.slice(before).join(", ")}`);
      const settings = [machineSettings, userSettings].map((file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "")).join("\n");
      const chosen = /"clade\.model\.path":\s*"([^"]+)"/g;
      const paths = [...settings.matchAll(chosen)].map((m) => m[1]);
      if (!paths.some((p) => p.endsWith(".gguf") && !p.startsWith("hf:") && p !== expected.modelFile)) throw new Error(`clade.model.path is not the downloaded file: ${paths.join(", ")}`);
      await shot("16-download-done");
    }],
    ["UI: \"Clade: Ask the Agent…\" (agent test model): the Ask view streams the run and lists the change", async () => {
      ask = prepareUiAsk();
      await page.waitForTimeout(1500); // the settings watcher picks up the agent model
      await palette("Clade: Ask the Agent…");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.waitFor({ timeout: STEP_TIMEOUT });
      await input.fill(ask.instruction);
      await shot("10-ask-instruction");
      await page.keyboard.press("Enter");
      await page.locator(".quick-input-widget .quick-input-title").filter({ hasText: "test command" }).waitFor({ timeout: STEP_TIMEOUT });
      await page.keyboard.press("Enter");
      await page.locator(".sidebar .pane-header").filter({ hasText: "Ask" }).first().waitFor({ timeout: STEP_TIMEOUT });
      await page.locator(".sidebar .monaco-list-row").filter({ hasText: "Changes (1)" }).first().waitFor({ timeout: 180_000 });
      await page.locator(".sidebar .monaco-list-row").filter({ hasText: "edit_file" }).first().waitFor({ timeout: STEP_TIMEOUT });
      if (!fs.readFileSync(ask.file, "utf8").includes("b - a")) throw new Error("the working file changed before Apply");
      await shot("11-ask-view");
    }],
    ["UI: a changed file of the ask opens VS Code's diff", async () => {
      await page.locator(".sidebar .monaco-list-row").filter({ hasText: "calc.mjs" }).filter({ hasText: "modified +1" }).first().click();
      await page.locator(".monaco-diff-editor").first().waitFor({ timeout: STEP_TIMEOUT });
      await page.locator(".tabs-container .tab").filter({ hasText: "agent's change" }).first().waitFor({ timeout: STEP_TIMEOUT });
      await shot("12-ask-diff");
    }],
    ["UI: Apply writes the change, and the ask shows under its version in the Archive view", async () => {
      await palette("Clade: Apply the Agent's Change");
      const deadline = Date.now() + STEP_TIMEOUT;
      while (!fs.readFileSync(ask.file, "utf8").includes("a - b")) {
        if (Date.now() > deadline) throw new Error(`calc.mjs after Apply: ${fs.readFileSync(ask.file, "utf8")}`);
        await page.waitForTimeout(200);
      }
      await page.locator(".sidebar .monaco-list-row").filter({ hasText: "`subtract(a, b)`" }).filter({ hasText: "applied ·" }).first().waitFor({ timeout: STEP_TIMEOUT });
      await shot("13-ask-applied");
      await page.locator(".sidebar .monaco-list-row").filter({ hasText: "ask: `subtract" }).filter({ hasText: "applied" }).first().waitFor({ timeout: STEP_TIMEOUT });
      await shot("14-ask-in-archive");
    }],
    // Last: focus stays inside the webview afterwards, where the workbench's keyboard shortcuts do not reach.
    ["UI: \"Clade: Open Archive Graph\" renders every version in the webview, with no CSP violation", async () => {
      await palette("Clade: Open Archive Graph");
      // The newest webview (the Model Info preview may still be in the DOM).
      const graph = page.frameLocator("iframe.webview.ready").last().frameLocator("iframe#active-frame");
      await graph.locator(".node").first().waitFor({ timeout: STEP_TIMEOUT });
      const count = await graph.locator(".node").count();
      if (count !== expected.archive.nodes.length) throw new Error(`the graph shows ${count} nodes, the archive has ${expected.archive.nodes.length}`);
      await graph.locator(".node").first().click();
      await page.waitForTimeout(500);
      await shot("06b-archive-graph");
      if (cspViolations.length) throw new Error(`CSP violations in the console:\n${cspViolations.slice(0, 3).join("\n")}`);
    }],
  ];

  const outcomes = [];
  let blocked;
  for (const [name, step] of steps) {
    const started = Date.now();
    if (blocked) {
      outcomes.push({ name, ok: false, ms: 0, error: `not run: "${blocked}" failed` });
      continue;
    }
    try {
      await step();
      outcomes.push({ name, ok: true, ms: Date.now() - started });
    } catch (error) {
      blocked = name;
      await shot(`failure-${outcomes.length + 1}`).catch(() => undefined);
      outcomes.push({ name, ok: false, ms: Date.now() - started, error: firstLines(error) });
    }
  }
  if (consoleErrors.length) outcomes.at(-1).pageErrors = consoleErrors.slice(0, 5);
  await page.close();
  return outcomes;
}

function firstLines(error) {
  return (error instanceof Error ? error.message : String(error)).split("\n").slice(0, 6).join("\n");
}
