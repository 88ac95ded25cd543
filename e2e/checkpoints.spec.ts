import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors } from './helpers.ts';

/**
 * Checkpoints in the browser's IndexedDB (in the engine's Worker): a run cut off by a reload is
 * offered for resuming, resumes, and saved runs are listed with their size and can be discarded.
 */
const URL_WASM = './?backend=wasm';

async function openStudio(page: Page): Promise<void> {
  await page.goto(URL_WASM);
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
}

const stepPoints = async (page: Page): Promise<number> => Number(await page.getByTestId('loss-chart').getAttribute('data-step-points'));

test('a run cut off by a reload resumes from its checkpoint; saved runs are listed and discarded', async ({ page }) => {
  const errors = collectPageErrors(page);
  await openStudio(page);
  await page.getByTestId('epochs-input').fill('10000');
  await page.getByTestId('train-checkpoint-steps').fill('20');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('training', { timeout: 60_000 });
  await expect.poll(() => stepPoints(page), { timeout: 60_000 }).toBeGreaterThan(50);
  // A checkpoint is on disk once the list shows the run.
  await expect(page.getByTestId('saved-run')).toHaveCount(1, { timeout: 30_000 });

  // The tab goes away mid-run.
  await page.reload();
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  const notice = page.getByTestId('resume-notice').first();
  await expect(notice).toContainText(/An unfinished run, Head only · .+ · shapes-sample · .+, stopped at step \d+ of [\d,]+/);
  const savedStep = Number((await notice.textContent())!.match(/stopped at step (\d+) of/)![1]);
  expect(savedStep).toBeGreaterThanOrEqual(20);
  expect(savedStep % 20).toBe(0);
  await expect(page.getByTestId('saved-run-size').first()).toHaveText(/\d/);

  await page.getByTestId('resume-run').first().click();
  await expect(page.getByTestId('run-state')).toHaveText('training', { timeout: 60_000 });
  await expect(page.getByTestId('resume-notice')).toHaveCount(0);
  await expect(page.getByTestId('run-log')).toContainText(`Resuming run`);
  await expect(page.getByTestId('run-log')).toContainText(`at step ${savedStep} of`);
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('stopped', { timeout: 60_000 });

  // Stopped, it is still unfinished: after a reload it is offered again; Discard deletes it.
  await page.reload();
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  await expect(page.getByTestId('resume-notice').first()).toBeVisible();
  await page.getByTestId('discard-run').first().click();
  await expect(page.getByTestId('resume-notice')).toHaveCount(0);
  await expect(page.getByTestId('saved-run')).toHaveCount(0);
  expect(errors).toEqual([]);
});
