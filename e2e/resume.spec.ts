import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors } from './helpers.ts';

/**
 * Nothing a run or an import was is lost or hidden (issue 13, items 4 and 5), at the two desktop
 * sizes: a reload mid-run resumes with the run's own plan, settings and chart history (the form held
 * defaults after the reload); the run training is never offered for resuming; saved runs have names;
 * the mode tab survives a reload; a CSV with a quote left open on line 15 says which lines it lost.
 */
const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
];

async function openStudio(page: Page, query = '?backend=wasm'): Promise<void> {
  await page.goto(`./${query}`);
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
}

const chartAttr = async (page: Page, name: string): Promise<number> => Number(await page.getByTestId('loss-chart').getAttribute(name));

/** 124 data rows; line 15 opens a quote that is never closed, so lines 15 to 125 are one value. */
function csvWithOpenQuote(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tabtune-quote-'));
  const file = join(dir, 'trees.csv');
  const rows = ['height,width,colour,species'];
  for (let i = 2; i <= 125; i++) rows.push(i === 15 ? `${i},3,"red,oak` : `${i},${i % 7},${i % 2 ? 'green' : 'brown'},${i % 3 ? 'oak' : 'fir'}`);
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

for (const viewport of VIEWPORTS) {
  test.describe(`at ${viewport.width}x${viewport.height}`, () => {
    test.use({ viewport });

    test('a reload mid-run resumes with the run’s plan, settings and chart history; the running run is never offered', async ({ page }) => {
      const errors = collectPageErrors(page);
      await openStudio(page);
      // A run unlike the defaults: LoRA on conv3, 10,000 epochs, its own learning rate, a checkpoint every 20 steps.
      await page.getByTestId('plan-mode-conv3').selectOption('lora');
      await expect(page.getByTestId('plan-rank-conv3')).toHaveValue('4');
      await page.getByTestId('epochs-input').fill('10000');
      await page.getByTestId('lr-input').fill('0.005');
      await page.getByTestId('train-checkpoint-steps').fill('20');
      await page.getByTestId('train-button').click();
      await expect(page.getByTestId('run-state')).toHaveText('training', { timeout: 60_000 });
      // Its checkpoint is listed as training now: not offered, not deletable under it.
      await expect(page.getByTestId('saved-run')).toHaveCount(1, { timeout: 60_000 });
      await page.locator('.saved-runs__list summary').first().click();
      await expect(page.getByTestId('saved-run-status')).toHaveText('training now');
      await expect(page.getByTestId('saved-run-name')).toHaveText(/^LoRA r4 · .+ · shapes-sample · \d{1,2} [A-Z][a-z]{2} \d\d:\d\d$/);
      await expect(page.getByTestId('resume-notice')).toHaveCount(0);
      await expect(page.getByTestId('resume-saved-run')).toHaveCount(0);
      await expect(page.getByTestId('delete-run')).toHaveCount(0);
      await expect.poll(() => chartAttr(page, 'data-step-points'), { timeout: 60_000 }).toBeGreaterThan(45);

      await page.reload();
      await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
      // The form shows defaults until the run is resumed.
      await expect(page.getByTestId('epochs-input')).toHaveValue('30');
      await expect(page.getByTestId('plan-mode-conv3')).toHaveValue('frozen');
      const notice = page.getByTestId('resume-notice').first();
      await expect(notice).toContainText(/An unfinished run, LoRA r4 · .+ · shapes-sample · .+, stopped at step \d+ of [\d,]+/);
      const savedStep = Number((await notice.textContent())!.match(/stopped at step (\d+) of/)![1]);
      expect(savedStep % 20).toBe(0);
      expect(savedStep).toBeGreaterThanOrEqual(20);

      await page.getByTestId('resume-run').first().click();
      await expect(page.getByTestId('run-state')).toHaveText('training', { timeout: 60_000 });
      // The run's own plan and settings, not the defaults the form held.
      await expect(page.getByTestId('epochs-input')).toHaveValue('10000');
      await expect(page.getByTestId('lr-input')).toHaveValue('0.005');
      await expect(page.getByTestId('train-checkpoint-steps')).toHaveValue('20');
      await expect(page.getByTestId('plan-mode-conv3')).toHaveValue('lora');
      await expect(page.getByTestId('plan-rank-conv3')).toHaveValue('4');
      // The chart holds the history before the checkpoint: it starts at step 1, not after the checkpoint.
      await expect.poll(() => chartAttr(page, 'data-step-points')).toBeGreaterThan(savedStep);
      expect(await chartAttr(page, 'data-first-step')).toBe(1);
      await expect(page.getByTestId('resume-notice')).toHaveCount(0);
      await expect(page.getByTestId('saved-run-status').first()).toHaveText('training now');

      await page.getByTestId('stop-button').click();
      await expect(page.getByTestId('run-state')).toHaveText('stopped', { timeout: 60_000 });
      // Stopped here, it is listed (resumable) but this page does not pop the notice for it.
      await expect(page.getByTestId('saved-run-status').first()).toHaveText(/^stopped at step \d+ of/);
      await expect(page.getByTestId('resume-saved-run')).toHaveCount(1);
      await expect(page.getByTestId('resume-notice')).toHaveCount(0);
      expect(errors).toEqual([]);
    });

    test('a language-model run reloaded mid-run reopens on its tab and resumes with its plan, settings and chart', async ({ page }) => {
      const errors = collectPageErrors(page);
      await openStudio(page);
      await page.getByTestId('mode-lm').click();
      const loadBuiltins = async (): Promise<void> => {
        await page.getByTestId('lm-builtin').click();
        await expect(page.getByTestId('lm-model-summary')).toContainText('llama', { timeout: 60_000 });
        await page.getByTestId('lm-sample-data').click();
        await expect(page.getByTestId('lm-data-format')).toContainText('chat', { timeout: 30_000 });
      };
      await loadBuiltins();
      // Read the data unlike the defaults: a reload puts the form back to 128, the resume reads it at 64 again.
      await page.getByTestId('lm-max-length').fill('64');
      await expect(page.getByTestId('lm-histogram')).toHaveAttribute('aria-label', /above the max length of 64\./);
      await expect(page.getByTestId('lm-data-file-counts')).toHaveText(/^From a file of \d+ lines.*: \d+ records read, \d+ used, 0 skipped\.$/);
      await page.getByTestId('lm-preset-default').click();
      await page.getByTestId('lm-rank-0-q_proj').fill('4');
      await page.getByTestId('lm-rank-0-q_proj').press('Tab');
      await page.getByTestId('lm-steps').fill('2000');
      await page.getByTestId('lm-lr').fill('0.003');
      await page.getByTestId('lm-checkpoint-steps').fill('10');
      await expect.poll(async () => Number(await page.getByTestId('lm-trainable').getAttribute('data-value'))).toBeGreaterThan(0);
      await page.getByTestId('lm-train').click();
      await expect(page.getByTestId('lm-run-state')).toHaveAttribute('data-state', 'training', { timeout: 60_000 });
      await expect(page.getByTestId('lm-saved-runs').getByTestId('saved-run')).toHaveCount(1, { timeout: 60_000 });
      await expect.poll(async () => Number(await page.getByTestId('lm-loss-chart').getAttribute('data-step-points')), { timeout: 60_000 }).toBeGreaterThan(25);

      await page.reload();
      await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
      await expect(page.getByTestId('mode-lm')).toHaveAttribute('aria-selected', 'true');
      await loadBuiltins();
      const notice = page.getByTestId('lm-saved-runs').getByTestId('resume-notice');
      await expect(notice).toContainText(/An unfinished run, LoRA r4–8 · tiny-chat-lm · chat-sample · .+, stopped at step \d+ of 2,000/);
      const savedStep = Number((await notice.textContent())!.match(/stopped at step (\d+) of/)![1]);
      // Resumable with whatever plan the table shows now: the run brings its own.
      await page.getByTestId('lm-preset-none').click();
      await notice.getByTestId('resume-run').click();
      await expect(page.getByTestId('lm-run-state')).toHaveAttribute('data-state', 'training', { timeout: 60_000 });
      await expect(page.getByTestId('lm-steps')).toHaveValue('2000');
      await expect(page.getByTestId('lm-max-length')).toHaveValue('64');
      await expect(page.getByTestId('lm-histogram')).toHaveAttribute('aria-label', /above the max length of 64\./);
      await expect(page.getByTestId('lm-lr')).toHaveValue('0.003');
      await expect(page.getByTestId('lm-plan-0-q_proj')).toHaveValue('lora');
      await expect(page.getByTestId('lm-rank-0-q_proj')).toHaveValue('4');
      await expect.poll(async () => Number(await page.getByTestId('lm-loss-chart').getAttribute('data-step-points'))).toBeGreaterThan(savedStep);
      expect(Number(await page.getByTestId('lm-loss-chart').getAttribute('data-first-step'))).toBe(1);
      await page.getByTestId('lm-stop').click();
      await expect(page.getByTestId('lm-run-state')).toHaveAttribute('data-state', 'stopped', { timeout: 60_000 });
      expect(errors).toEqual([]);
    });

    test('a run training in another tab is not offered for resuming there', async ({ context }) => {
      const first = await context.newPage();
      await openStudio(first);
      await first.getByTestId('epochs-input').fill('10000');
      await first.getByTestId('train-checkpoint-steps').fill('10');
      await first.getByTestId('train-button').click();
      await expect(first.getByTestId('run-state')).toHaveText('training', { timeout: 60_000 });
      await expect(first.getByTestId('saved-run')).toHaveCount(1, { timeout: 60_000 });

      const second = await context.newPage();
      await openStudio(second);
      await expect(second.getByTestId('other-tab-training')).toBeVisible({ timeout: 10_000 });
      await second.locator('.saved-runs__list summary').first().click();
      await expect(second.getByTestId('saved-run-status')).toHaveText('training in another tab');
      await expect(second.getByTestId('resume-notice')).toHaveCount(0);
      await expect(second.getByTestId('resume-saved-run')).toHaveCount(0);
      await expect(second.getByTestId('delete-run')).toHaveCount(0);

      await first.getByTestId('stop-button').click();
      await expect(first.getByTestId('run-state')).toHaveText('stopped', { timeout: 60_000 });
      // Stopped there, it is a run like any other here: offered, with its name.
      await expect(second.getByTestId('resume-notice')).toContainText('An unfinished run, Head only', { timeout: 10_000 });
    });

    test('a finished run is marked finished, never offered, and finished runs are cleared in one go', async ({ page }) => {
      await openStudio(page);
      await page.getByTestId('epochs-input').fill('3');
      await page.getByTestId('train-checkpoint-steps').fill('5');
      await page.getByTestId('train-button').click();
      await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 60_000 });
      await expect(page.getByTestId('saved-run')).toHaveCount(1, { timeout: 30_000 });
      await page.reload();
      await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
      await expect(page.getByTestId('resume-notice')).toHaveCount(0);
      await page.locator('.saved-runs__list summary').first().click();
      await expect(page.getByTestId('saved-run')).toHaveAttribute('data-finished', 'true');
      await expect(page.getByTestId('saved-run-status')).toHaveText('finished');
      await expect(page.getByTestId('resume-saved-run')).toHaveCount(0);
      await page.getByTestId('delete-finished-runs').click();
      await expect(page.getByTestId('saved-run')).toHaveCount(0);
    });

    test('the mode tab is remembered across a reload', async ({ page }) => {
      await openStudio(page);
      await page.getByTestId('mode-lm').click();
      await expect(page.getByTestId('mode-lm')).toHaveAttribute('aria-selected', 'true');
      await page.reload();
      await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
      await expect(page.getByTestId('mode-lm')).toHaveAttribute('aria-selected', 'true');
      await page.getByTestId('mode-images').click();
      await page.reload();
      await expect(page.getByTestId('mode-images')).toHaveAttribute('aria-selected', 'true');
    });

    test('a CSV with a quote left open on line 15 says which lines it swallowed, or stops the import', async ({ page }) => {
      const errors = collectPageErrors(page);
      await openStudio(page);
      const file = csvWithOpenQuote();
      await page.getByTestId('dataset-csv-input').setInputFiles(file);
      await expect(page.getByTestId('dataset-name')).toHaveText('trees');
      await expect(page.getByTestId('table-file-counts')).toHaveText('From a file of 125 lines: 14 rows read, 13 used, 1 skipped.');
      const swallowed = page.getByTestId('table-swallowed');
      await expect(swallowed).toContainText('Lines 15–125: a quoted value opened on line 15 is never closed');
      await expect(swallowed).toContainText('the 111 lines from there to the end of the file were read as one value and left out');
      await swallowed.scrollIntoViewIfNeeded();
      await expect(swallowed).toBeInViewport();

      // The user's choice: stop the import at such a row. The table loaded before stays.
      await page.getByTestId('csv-bad-rows').selectOption('fail');
      await page.getByTestId('dataset-csv-input').setInputFiles(file);
      await expect(page.getByText(/Lines 15–125: a quoted value opened on line 15 is never closed.*Fix the row, or choose to skip bad rows/).first()).toBeVisible();
      await expect(page.getByTestId('table-file-counts')).toHaveText('From a file of 125 lines: 14 rows read, 13 used, 1 skipped.');
      expect(errors).toEqual([]);
    });
  });
}
