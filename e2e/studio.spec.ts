import { expect, test, type Page } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { collectPageErrors, downloadBytes, dropFolder, parseSafetensors, SAMPLE_DIR } from './helpers.ts';

const SAMPLE_CLASSES = readdirSync(SAMPLE_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const SAMPLE_IMAGE = join(SAMPLE_DIR, SAMPLE_CLASSES[0]!, readdirSync(join(SAMPLE_DIR, SAMPLE_CLASSES[0]!))[0]!);

async function openStudio(page: Page, backend: string): Promise<void> {
  // Long tasks on the main thread are recorded from the first script on, to prove training never blocks it.
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`./?backend=${backend}`);
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
}

async function trainAndCheck(page: Page, backend: 'webgpu' | 'wasm'): Promise<void> {
  const errors = collectPageErrors(page);
  await openStudio(page, backend);
  await expect(page.getByTestId('backend-name')).toHaveText(backend);
  await expect(page.getByTestId('backend-reason')).toContainText('forced');
  if (backend === 'wasm') {
    // vite preview sends COOP/COEP: the page is cross-origin isolated, so WASM runs TF.js' threaded
    // build on every core the browser reports (TF.js' pool stops at 8).
    const { isolated, cores } = await page.evaluate(() => ({ isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency }));
    expect(isolated).toBe(true);
    const threads = Math.min(cores, 8);
    await expect(page.getByTestId('backend-threads')).toHaveText(` · ${threads === 1 ? '1 thread' : `${threads} threads`}`);
  }

  // Drop the sample folder from disk, as a user would.
  await dropFolder(page, 'dataset-dropzone', SAMPLE_DIR);
  await expect(page.getByTestId('dataset-name')).toHaveText('shapes-sample');
  const rows = page.getByTestId('class-row');
  await expect(rows).toHaveCount(SAMPLE_CLASSES.length);
  for (const cls of SAMPLE_CLASSES) {
    const count = readdirSync(join(SAMPLE_DIR, cls)).length;
    await expect(page.locator(`[data-testid="class-row"][data-class="${cls}"]`)).toHaveAttribute('data-count', String(count));
  }
  await expect(page.getByTestId('class-thumb').first()).toBeVisible();

  await page.getByTestId('epochs-input').fill('4');
  await page.getByTestId('batch-input').fill('16');
  await page.getByTestId('lr-input').fill('0.01');
  const trainStart = await page.evaluate(() => performance.now());
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText(/preparing|training|done/);
  await expect(page.getByTestId('progress-bar')).toBeVisible();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 180_000 });

  const chart = page.getByTestId('loss-chart');
  const points = Number(await chart.getAttribute('data-step-points'));
  expect(points).toBeGreaterThan(8);
  await expect(chart).toHaveAttribute('data-epoch-points', '4');
  const first = Number(await chart.getAttribute('data-first-loss'));
  const last = Number(await chart.getAttribute('data-last-loss'));
  expect(Number.isFinite(first) && Number.isFinite(last)).toBe(true);
  expect(last).toBeLessThan(first);
  await expect(page.getByTestId('epoch-row')).toHaveCount(4);

  // The main thread stayed free while the worker trained: no long task of 250 ms or more.
  const longTasks = await page.evaluate(
    (t0) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((t) => t.start >= t0),
    trainStart,
  );
  expect(longTasks.filter((t) => t.duration >= 250), JSON.stringify(longTasks)).toEqual([]);

  // Try it: probabilities for each class, summing to 1.
  await page.getByTestId('try-input').setInputFiles(SAMPLE_IMAGE);
  const preds = page.getByTestId('prediction-row');
  await expect(preds).toHaveCount(SAMPLE_CLASSES.length);
  const probs = await preds.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-probability'))));
  expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  for (const p of probs) expect(p >= 0 && p <= 1).toBe(true);

  // Download both files through the browser and parse them here.
  const weightsDl = page.waitForEvent('download');
  await page.getByTestId('download-weights').click();
  const weights = await weightsDl;
  expect(weights.suggestedFilename()).toMatch(/\.safetensors$/);
  const manifestDl = page.waitForEvent('download');
  await page.getByTestId('download-manifest').click();
  const manifestFile = await manifestDl;
  expect(manifestFile.suggestedFilename()).toMatch(/\.json$/);
  const manifest = JSON.parse((await downloadBytes(manifestFile)).toString('utf8'));
  const st = parseSafetensors(await downloadBytes(weights));

  const K = SAMPLE_CLASSES.length;
  const F = manifest.baseModel.featureSize as number;
  expect(st.metadata).toEqual({ format: 'pt' });
  expect(Object.keys(st.tensors).sort()).toEqual(['head.bias', 'head.weight']);
  expect(st.tensors['head.weight']!.shape).toEqual([K, F]);
  expect(st.tensors['head.bias']!.shape).toEqual([K]);
  expect(st.tensors['head.weight']!.values.some((v) => v !== 0)).toBe(true);
  expect(manifest.classes).toEqual(SAMPLE_CLASSES);
  expect(manifest.training.backend).toBe(backend);
  expect(manifest.training.steps).toBe(points);
  expect(manifest.plan.kind).toBe('head-only');
  expect(manifest.weights.bytes).toBe((await downloadBytes(weights)).byteLength);

  expect(errors).toEqual([]);
}

test('trains on real WebGPU: drop folder, train, chart, try it, download', async ({ page }) => {
  await trainAndCheck(page, 'webgpu');
  // The adapter is named (SwiftShader here, a real GPU elsewhere).
  await expect(page.getByTestId('backend-adapter')).not.toHaveText('');
});

test('the same flow on WASM', async ({ page }) => {
  await trainAndCheck(page, 'wasm');
});
