/**
 * Every panel of both halves, checked with axe-core at the two desktop sizes: no serious or
 * critical violation, before and after a run (charts, tables and results drawn).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
] as const;

async function seriousViolations(page: Page, selector: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include(selector).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The header, the run bar and every panel of the shown half, one by one (a failure names its panel). */
async function checkEveryPanel(page: Page, half: string): Promise<void> {
  const panels = await page.locator(`${half} .grid > section.panel`).evaluateAll((els) => els.map((el) => el.id || el.getAttribute('data-testid') || el.querySelector('h2')?.textContent || ''));
  expect(panels.length).toBeGreaterThanOrEqual(6);
  const found: Record<string, string[]> = {};
  found.header = await seriousViolations(page, 'header.topbar');
  found['run bar'] = await seriousViolations(page, `${half} .run-bar`);
  for (let i = 0; i < panels.length; i++) found[panels[i] || `panel ${i}`] = await seriousViolations(page, `${half} .grid > section.panel:nth-of-type(${i + 1})`);
  expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length > 0))).toEqual({});
}

for (const viewport of VIEWPORTS) {
  test(`accessibility of every panel at ${viewport.width}x${viewport.height}`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.setViewportSize(viewport);
    await page.goto('./?backend=wasm');
    await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
    // Open the details on demand too, so what they hold is checked.
    for (const toggle of await page.locator('#mode-panel-images details > summary').all()) await toggle.click();
    await checkEveryPanel(page, '#mode-panel-images');
    await page.getByTestId('epochs-input').fill('2');
    await page.getByTestId('train-button').click();
    await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await checkEveryPanel(page, '#mode-panel-images');

    await page.getByTestId('mode-lm').click();
    await expect(page.getByTestId('lm-train')).toBeEnabled({ timeout: 60_000 });
    for (const toggle of await page.locator('#mode-panel-lm details > summary').all()) await toggle.click();
    await checkEveryPanel(page, '#mode-panel-lm');
  });
}
