/**
 * The first hour in the studio, at the two desktop sizes the issue names: the guided steps, Train and
 * Stop in view without scrolling, a summary of the run beside Train, errors beside the action that
 * failed, a warning before a much slower backend, tables that fit their panels, and the language-model
 * half opening ready to train, whose default run answers like the sample data's pirate.
 */
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { collectPageErrors, dropFolder, SAMPLE_DIR } from './helpers.ts';

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
] as const;

async function open(page: Page, query: string): Promise<void> {
  await page.goto(`./${query}`);
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
}

/** The whole element lies inside the viewport (not under its edges, not scrolled away). */
async function expectInViewport(page: Page, locator: Locator): Promise<void> {
  const box = await locator.boundingBox();
  const size = page.viewportSize()!;
  expect(box, 'element is rendered').not.toBeNull();
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height).toBeLessThanOrEqual(size.height);
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(size.width);
}

/** A scrolling table wrapper shows all of its table: nothing hidden to the right. */
async function expectFits(locator: Locator): Promise<void> {
  const { scroll, client } = await locator.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(scroll, 'table wider than its panel').toBeLessThanOrEqual(client + 1);
}

for (const viewport of VIEWPORTS) {
  test.describe(`at ${viewport.width}x${viewport.height}`, () => {
    test.use({ viewport });

    test('image mode: steps with their state, Train in view, a run summary, and Stop and progress in view while scrolled down', async ({ page }) => {
      const errors = collectPageErrors(page);
      await open(page, '?backend=wasm');
      // A slim header: one line, not a paragraph of benchmark figures.
      const header = await page.locator('header.topbar').boundingBox();
      expect(header!.height).toBeLessThan(64);

      await expect(page.getByTestId('classifier-flow-model')).toHaveAttribute('data-state', 'done');
      await expect(page.getByTestId('classifier-flow-data')).toHaveAttribute('data-state', 'done');
      await expect(page.getByTestId('classifier-flow-plan')).toHaveAttribute('data-state', 'done');
      await expect(page.getByTestId('classifier-flow-train')).toHaveAttribute('data-state', 'current');
      await expect(page.getByTestId('classifier-flow-try')).toHaveAttribute('data-state', 'todo');
      await expectInViewport(page, page.getByTestId('train-button'));
      await expect(page.getByTestId('train-button')).toBeEnabled();
      await expect(page.getByTestId('run-summary')).toContainText('the new head only');

      // Fewer epochs keep the test short; the summary follows the settings.
      await page.getByTestId('epochs-input').fill('6');
      await page.getByTestId('epochs-input').press('Tab');
      const summarySteps = Number(await page.getByTestId('run-summary').getAttribute('data-steps'));
      expect(summarySteps).toBeGreaterThan(0);

      await page.getByTestId('train-button').click();
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await expectInViewport(page, page.getByTestId('stop-button'));
      await expectInViewport(page, page.getByTestId('progress-bar'));
      await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
      // The summary's step count was the run's.
      await expect(page.getByTestId('progress-bar')).toHaveAttribute('aria-valuemax', String(summarySteps));
      await expect(page.getByTestId('classifier-flow-try')).toHaveAttribute('data-state', 'current');
      await expect(page.getByTestId('classifier-flow-export')).toHaveAttribute('data-state', 'ready');
      // The next run's time is estimated from this one's speed.
      await expect(page.getByTestId('run-summary-time')).toContainText('about');
      // Newest epoch first.
      await expect(page.getByTestId('epoch-row').first()).toHaveAttribute('data-step', String(summarySteps));

      // Status names what trains; the head-only download says so when more than the head trained.
      await page.getByTestId('plan-mode-conv3').selectOption('lora');
      await expect(page.getByTestId('run-summary')).toContainText('LoRA r=4 on 1 layer, plus the new head');
      await expect(page.getByTestId('export-head-only-note')).toContainText('head only');
      expect(errors).toEqual([]);
    });

    test('a failed drop is reported beside the drop zone, in view and announced, not in a banner at the top', async ({ page }) => {
      await open(page, '?backend=wasm');
      // One class only: the engine refuses it.
      const dir = mkdtempSync(join(tmpdir(), 'tabtune-one-class-'));
      const cls = readdirSync(SAMPLE_DIR).sort()[0]!;
      cpSync(join(SAMPLE_DIR, cls), join(dir, 'only', cls), { recursive: true });
      await dropFolder(page, 'dataset-dropzone', join(dir, 'only'));
      const inline = page.getByTestId('inline-error-classifier-data');
      await expect(inline.getByTestId('error-banner')).toBeVisible({ timeout: 30_000 });
      await expect(inline).toHaveAttribute('role', 'alert');
      await expectInViewport(page, inline.getByTestId('error-banner'));
      await expect(page.locator('.notices').getByTestId('error-banner')).toHaveCount(0);
      // The sample stays loaded; a good drop clears the error.
      await expect(page.getByTestId('dataset-name')).toHaveText('shapes-sample');
      await dropFolder(page, 'dataset-dropzone', SAMPLE_DIR);
      await expect(inline.getByTestId('error-banner')).toHaveCount(0, { timeout: 30_000 });
    });

    test('language-model mode opens ready to train; its plan grid and the layer table fit their panels', async ({ page }) => {
      await open(page, '?backend=wasm&mode=lm');
      await expect(page.getByTestId('lm-model-summary')).toHaveAttribute('data-architecture', 'llama');
      await expect(page.getByTestId('lm-data-format')).toContainText('chat');
      await expect(page.getByTestId('lm-train')).toBeEnabled({ timeout: 30_000 });
      await expectInViewport(page, page.getByTestId('lm-train'));
      await expect(page.getByTestId('lm-flow-train')).toHaveAttribute('data-state', 'current');
      await expect(page.getByTestId('lm-run-summary')).toContainText('LoRA r=8 on 21 projections');
      await expect(page.getByTestId('lm-run-summary-memory')).toContainText('memory');
      await expectFits(page.locator('.lm-plan-scroll'));
      // Two-digit alphas are readable, not clipped.
      const alpha = page.getByTestId('lm-alpha-0-q_proj');
      expect(await alpha.evaluate((el) => (el as HTMLInputElement).scrollWidth <= (el as HTMLInputElement).clientWidth)).toBe(true);
      // The tab is remembered across a reload.
      await page.getByTestId('mode-images').click();
      await page.reload();
      await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
      await expect(page.getByTestId('mode-images')).toHaveAttribute('aria-selected', 'true');
      await expectFits(page.locator('[aria-label="Model layers"]'));
      await page.getByTestId('plan-mode-conv3').selectOption('lora');
      await expectFits(page.locator('[aria-label="Model layers"]'));
    });

    test('forcing WebGPU on a software adapter asks first', async ({ page }) => {
      await open(page, '');
      test.skip((await page.getByTestId('backend-adapter').textContent())?.includes('(software)') !== true, 'needs a software WebGPU adapter (this machine has a GPU)');
      await page.getByTestId('backend-select').selectOption('webgpu');
      await expect(page.getByTestId('backend-slow-warning')).toContainText('slower than on WASM');
      await expectInViewport(page, page.getByTestId('backend-slow-warning'));
      await page.getByTestId('backend-slow-cancel').click();
      await expect(page.getByTestId('backend-name')).toHaveText('wasm');
      await expect(page.getByTestId('backend-select')).toHaveValue('auto');
    });
  });
}

test('the default language-model run answers like the sample data: a clean pirate sentence, not repeated words', async ({ page }) => {
  test.setTimeout(600_000);
  const errors = collectPageErrors(page);
  await open(page, '?backend=wasm&mode=lm');
  await expect(page.getByTestId('lm-train')).toBeEnabled({ timeout: 30_000 });
  await page.getByTestId('lm-train').click();
  await expect(page.getByTestId('lm-run-state')).toHaveAttribute('data-state', 'done', { timeout: 540_000 });
  await expect(page.getByTestId('lm-prompt')).toHaveValue('What color is the fox?');
  await page.getByTestId('lm-generate').click();
  await expect(page.getByTestId('lm-output-adapted')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  const answer = (await page.getByTestId('lm-output-adapted').textContent())?.trim() ?? '';
  console.log(`default LM run answers: ${JSON.stringify(answer)}`);
  expect(answer).toMatch(/^Arr! The fox is \w+, matey!$/);
  const words = answer.toLowerCase().match(/[a-z]+/g) ?? [];
  expect(new Set(words).size).toBe(words.length);
  // Downloads are named after the model and the data, not the host.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lm-export-adapter').click()]);
  expect(download.suggestedFilename()).toBe('tiny-chat-lm-chat-sample-lora.zip');
  expect(errors).toEqual([]);
});
