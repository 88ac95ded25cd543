import { expect, test } from '@playwright/test';
import { collectPageErrors } from './helpers.ts';

const MESSY = new URL('./fixtures/messy-shapes/', import.meta.url).pathname.replace(/\/$/, '');

test('auto picks WASM over a software WebGPU adapter and says why', async ({ page }) => {
  await page.goto('./');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  // This machine (and CI) has no GPU: Chromium's only WebGPU adapter is SwiftShader.
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  await expect(page.getByTestId('backend-adapter')).toContainText(/swiftshader/i);
  await expect(page.getByTestId('backend-reason')).toContainText('software renderer');
});

test('a messy folder imports what it can and names every file it left out', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto('./?backend=wasm');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  // The folder picker (webkitdirectory), the keyboard-friendly alternative to dropping.
  await page.getByTestId('dataset-folder-input').setInputFiles(MESSY);
  await expect(page.getByTestId('dataset-name')).toHaveText('messy-shapes');
  await expect(page.getByTestId('class-row')).toHaveCount(2);
  await expect(page.locator('[data-testid="class-row"][data-class="ring"]')).toHaveAttribute('data-count', '4');
  await expect(page.locator('[data-testid="class-row"][data-class="star"]')).toHaveAttribute('data-count', '4');

  const issues = page.getByTestId('dataset-issue');
  await expect(issues).toHaveCount(3);
  await expect(page.locator('[data-testid="dataset-issue"][data-kind="not-an-image"]')).toContainText('messy-shapes/star/notes.txt');
  await expect(page.locator('[data-testid="dataset-issue"][data-kind="corrupt-image"]')).toContainText('messy-shapes/ring/truncated.png');
  await expect(page.locator('[data-testid="dataset-issue"][data-kind="too-few-images"]')).toContainText('lonely');

  // The import was not aborted: it trains.
  await page.getByTestId('epochs-input').fill('2');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 60_000 });
  expect(errors).toEqual([]);
});

test('Stop ends a run after the current step and keeps what it learned', async ({ page }) => {
  await page.goto('./?backend=wasm');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  await page.getByTestId('epochs-input').fill('10000'); // outlasts the test on a fast machine
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('training', { timeout: 60_000 });
  const chart = page.getByTestId('loss-chart');
  await expect.poll(async () => Number(await chart.getAttribute('data-step-points'))).toBeGreaterThan(20);
  // Keyboard: Stop is a real button reachable and pressable without a mouse.
  await page.getByTestId('stop-button').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-state')).toHaveText('stopped', { timeout: 30_000 });
  const steps = Number(await chart.getAttribute('data-step-points'));
  await page.waitForTimeout(500);
  expect(Number(await chart.getAttribute('data-step-points'))).toBe(steps);
  expect(steps).toBeLessThan(10000 * 5);
  // What was learned before Stop can be tried and downloaded.
  const dl = page.waitForEvent('download');
  await page.getByTestId('download-weights').click();
  expect((await dl).suggestedFilename()).toMatch(/\.safetensors$/);
});

test('switching the backend keeps the trained model; webgl and cpu can be forced', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto('./?backend=wasm');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  await page.getByTestId('epochs-input').fill('10');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 60_000 });
  const image = new URL('../public/datasets/shapes-sample/star/star-000.png', import.meta.url).pathname;
  const other = new URL('../public/datasets/shapes-sample/ring/ring-000.png', import.meta.url).pathname;
  await page.getByTestId('try-input').setInputFiles(image);
  const probabilities = () =>
    page.getByTestId('prediction-row').evaluateAll((els) => Object.fromEntries(els.map((el) => [el.getAttribute('data-class'), Number(el.getAttribute('data-probability'))])));
  await expect(page.getByTestId('prediction-row')).toHaveCount(4);
  const onWasm = await probabilities();

  for (const backend of ['webgl', 'cpu'] as const) {
    await page.getByTestId('backend-select').selectOption(backend);
    await expect(page.getByTestId('backend-name')).toHaveText(backend, { timeout: 60_000 });
    // The same trained head answers on the new backend (float differences only). Another image
    // first, so the star's probabilities below come from a fresh prediction on this backend.
    await page.getByTestId('try-input').setInputFiles(other);
    await expect.poll(async () => (await probabilities()).star !== onWasm.star, { timeout: 30_000 }).toBe(true);
    await page.getByTestId('try-input').setInputFiles(image);
    await expect.poll(async () => {
      const p = await probabilities();
      return Object.keys(onWasm).every((k) => Math.abs((p[k] ?? -1) - onWasm[k]!) < 1e-3);
    }, { timeout: 30_000 }).toBe(true);
  }
  expect(errors).toEqual([]);
});
