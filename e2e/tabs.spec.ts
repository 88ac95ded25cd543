/**
 * Two tabs, one run: while one tab trains it holds the Web Lock, the other says so and refuses to
 * start a second run (two runs on one GPU would halve each other).
 */
import { expect, test } from '@playwright/test';

test('a second tab shows the run in the first and does not start its own', async ({ context }) => {
  const first = await context.newPage();
  const second = await context.newPage();
  for (const page of [first, second]) {
    await page.goto('./?backend=wasm');
    await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  }
  // The form's most epochs: the run must outlast this test on any machine (1,000 took 10 s here and
  // finished before Stop on a faster CI machine).
  await first.getByTestId('epochs-input').fill('10000');
  await first.getByTestId('train-button').click();
  await expect(first.getByTestId('run-state')).toHaveText('training', { timeout: 60_000 });

  await expect(second.getByTestId('other-tab-training')).toBeVisible({ timeout: 10_000 });
  await second.getByTestId('train-button').click();
  await expect(second.getByTestId('error-banner').filter({ hasText: 'another Tabtune tab' })).toBeVisible();
  await expect(second.getByTestId('run-state')).not.toHaveText('training');

  await expect(first.getByTestId('run-state')).toHaveText('training');
  await first.getByTestId('stop-button').click();
  await expect(first.getByTestId('run-state')).toHaveText('stopped', { timeout: 30_000 });
  await expect(second.getByTestId('other-tab-training')).toBeHidden({ timeout: 10_000 });
});
