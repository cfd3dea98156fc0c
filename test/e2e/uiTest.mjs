// UI tests in a real browser (Debian chromium driven by playwright-core) against code-server with the
// extension under development loaded by URL: open the Clade view container, run "Clade: Show Model
// Info" from the command palette, wait for the info document. Screenshots go to `shotsDir`.
import path from "node:path";

const STEP_TIMEOUT = 60_000;

/** Runs the UI steps in order; a failed step fails the ones after it (they need its state). */
export async function runUiTests({ browser, url, expected, shotsDir }) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleErrors = [];
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  const shot = (name) => page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
  const modelBase = path.basename(expected.modelFile);

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
      const lines = page.locator(".editor-instance .view-lines").first();
      await lines.filter({ hasText: expected.architecture }).waitFor({ timeout: STEP_TIMEOUT });
      const text = (await lines.innerText()).replace(/\u00a0/g, " ");
      const count = expected.parameterCount.toLocaleString("en-US");
      if (!text.includes(count)) throw new Error(`the info document shows no parameter count ${count}:\n${text}`);
      await shot("04-model-info");
    }],
    ["UI: the status bar shows the loaded model and its backend", async () => {
      await page.locator(".statusbar .statusbar-item").filter({ hasText: /· (cpu|cuda|metal|vulkan)/ }).first().waitFor({ timeout: STEP_TIMEOUT });
      await shot("05-status-bar");
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
