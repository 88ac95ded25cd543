import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { collectPageErrors, downloadBytes, SAMPLE_DIR } from './helpers.ts';

/** WASM: fast and the same on every machine. */
const URL_WASM = './?backend=wasm';
const REPO_ROOT = new URL('../', import.meta.url).pathname;
const TFJS = join(REPO_ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.min.js');
const SAMPLE_IMAGE = join(SAMPLE_DIR, 'star', 'star-000.png');

async function openStudio(page: Page): Promise<void> {
  await page.goto(URL_WASM);
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
}

const stepPoints = async (page: Page): Promise<number> => Number(await page.getByTestId('loss-chart').getAttribute('data-step-points'));

test('pause holds a long run still, resume carries on, stop ends it', async ({ page }) => {
  const errors = collectPageErrors(page);
  await openStudio(page);
  await page.getByTestId('epochs-input').fill('10000'); // outlasts the test on a fast machine
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('training', { timeout: 60_000 });
  await expect.poll(() => stepPoints(page)).toBeGreaterThan(5);

  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('paused');
  await expect(page.getByTestId('eta')).toContainText('Paused');
  await page.waitForTimeout(200); // events already on their way land
  const held = await stepPoints(page);
  const heldProgress = await page.getByTestId('progress-bar').textContent();
  await page.waitForTimeout(500);
  expect(await stepPoints(page)).toBe(held);
  expect(await page.getByTestId('progress-bar').textContent()).toBe(heldProgress);

  await page.getByTestId('resume-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('training');
  await expect.poll(() => stepPoints(page)).toBeGreaterThan(held);

  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('stopped', { timeout: 30_000 });
  expect(errors).toEqual([]);
});

test('early stopping ends a run long before its last epoch; the confusion matrix counts every validation image', async ({ page }) => {
  const errors = collectPageErrors(page);
  await openStudio(page);
  await page.getByTestId('lr-input').fill('1');
  await page.getByTestId('epochs-input').fill('200');
  await page.getByTestId('patience-input').fill('1');
  const t0 = Date.now();
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 120_000 });
  const epochs = await page.getByTestId('epoch-row').count();
  console.log(`early stopping (wasm, lr 1, patience 1): ${epochs} of 200 epochs, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  expect(epochs).toBeLessThan(50);
  await expect(page.getByTestId('run-log')).toContainText('Stopped early');

  // K x K cells whose counts add up to the validation images of the dataset.
  const validation = await page.getByTestId('class-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-validation'))));
  const K = validation.length;
  expect(K).toBe(4);
  const total = validation.reduce((a, b) => a + b, 0);
  expect(total).toBe(16);
  const cells = page.getByTestId('confusion-matrix').getByTestId('confusion-cell');
  await expect(cells).toHaveCount(K * K);
  const counts = await cells.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-count'))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
  // Row sums are each class's validation images.
  const names = await page.getByTestId('class-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-class') ?? ''));
  for (const [i, name] of names.entries()) {
    const row = await page
      .locator(`[data-testid="confusion-cell"][data-true="${name}"]`)
      .evaluateAll((els) => els.reduce((sum, el) => sum + Number(el.getAttribute('data-count')), 0));
    expect(row, name).toBe(validation[i]);
  }
  const accuracy = Number(await page.getByTestId('eval-accuracy').getAttribute('data-value'));
  const diagonal = await page
    .locator('[data-testid="confusion-cell"]')
    .evaluateAll((els) => els.filter((el) => el.getAttribute('data-true') === el.getAttribute('data-pred')).reduce((s, el) => s + Number(el.getAttribute('data-count')), 0));
  expect(accuracy).toBeCloseTo(diagonal / total, 5);
  // A head-only run is its own baseline.
  await expect(page.getByTestId('baseline-accuracy')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('LoRA run beside its baseline; the bundle\'s merged model predicts the same in plain TF.js; the zip imports back', async ({ page, browser }) => {
  const errors = collectPageErrors(page);
  await openStudio(page);
  await page.getByTestId('plan-mode-embedding').selectOption('lora');
  await page.getByTestId('plan-rank-embedding').fill('2');
  await expect(page.getByTestId('plan-error')).toHaveCount(0);
  await page.getByTestId('epochs-input').fill('10');
  const t0 = Date.now();
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 120_000 });
  console.log(`LoRA embedding r=2 (wasm, 10 epochs, with baseline): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('baseline-accuracy')).toBeVisible();
  await expect(page.getByTestId('eval-accuracy')).toBeVisible();
  const accuracy = Number(await page.getByTestId('eval-accuracy').getAttribute('data-value'));
  const baseline = Number(await page.getByTestId('baseline-accuracy').getAttribute('data-value'));
  console.log(`fine-tuned accuracy ${accuracy}, baseline ${baseline}`);

  // Try it, then keep the studio's probabilities by class.
  await page.getByTestId('try-input').setInputFiles(SAMPLE_IMAGE);
  await expect(page.getByTestId('prediction-row')).toHaveCount(4);
  const studio = Object.fromEntries(
    await page.getByTestId('prediction-row').evaluateAll((els) => els.map((el) => [el.getAttribute('data-class') ?? '', Number(el.getAttribute('data-probability'))] as const)),
  );

  const pending = page.waitForEvent('download');
  await page.getByTestId('download-bundle').click();
  const zipBytes = await downloadBytes(await pending);
  const zip = unzipSync(new Uint8Array(zipBytes));
  const dir = mkdtempSync(join(tmpdir(), 'tabtune-merged-'));
  writeFileSync(join(dir, 'model.json'), zip['merged/model.json']!);
  writeFileSync(join(dir, 'weights.bin'), zip['merged/weights.bin']!);
  const manifest = JSON.parse(new TextDecoder().decode(zip['tabtune.json'])) as { classes: string[] };

  // Plain TF.js (from node_modules, no network) loads the merged model and predicts, in a blank page
  // of its own: the studio's Content-Security-Policy rightly refuses injected scripts.
  const plain = await page.context().newPage();
  await plain.addScriptTag({ path: TFJS });
  const modelJson = readFileSync(join(dir, 'model.json'), 'utf8');
  const weightsB64 = readFileSync(join(dir, 'weights.bin')).toString('base64');
  const imageB64 = readFileSync(SAMPLE_IMAGE).toString('base64');
  const tfProbs = await plain.evaluate(
    async ({ modelJson, weightsB64, imageB64 }) => {
      const tf = (window as unknown as { tf: typeof import('@tensorflow/tfjs') }).tf;
      const bytes = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const json = JSON.parse(modelJson) as { modelTopology: object; weightsManifest: { weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[] }[] };
      const weightData = bytes(weightsB64).buffer;
      const model = await tf.loadLayersModel(
        tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }),
      );
      const [, h, w] = model.inputs[0]!.shape as number[];
      const img = new Image();
      img.src = `data:image/png;base64,${imageB64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = w!;
      canvas.height = h!;
      const ctx = canvas.getContext('2d')!;
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(img, 0, 0, w!, h!);
      const { data } = ctx.getImageData(0, 0, w!, h!);
      const rgb = new Float32Array(w! * h! * 3);
      for (let i = 0; i < w! * h!; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * 4 + c]! / 255;
      const out = model.predict(tf.tensor4d(rgb, [1, h!, w!, 3])) as import('@tensorflow/tfjs').Tensor;
      return Array.from(await out.data());
    },
    { modelJson, weightsB64, imageB64 },
  );
  const diffs = manifest.classes.map((c, i) => Math.abs((tfProbs[i] ?? Number.NaN) - (studio[c] ?? Number.NaN)));
  console.log(`merged TF.js vs studio: ${JSON.stringify(tfProbs.map((p) => +p.toFixed(4)))} vs ${JSON.stringify(manifest.classes.map((c) => +(studio[c] ?? NaN).toFixed(4)))}; max |diff| ${Math.max(...diffs).toFixed(4)}`);
  for (const d of diffs) expect(d).toBeLessThan(0.02);
  await plain.close();
  expect(errors).toEqual([]);

  // A fresh page takes the zip back: same evaluation, same plan.
  const fresh = await browser.newPage();
  const freshErrors = collectPageErrors(fresh);
  await openStudio(fresh);
  const zipPath = join(dir, 'run.zip');
  writeFileSync(zipPath, zipBytes);
  await expect(fresh.getByTestId('download-bundle')).toBeDisabled();
  await fresh.getByTestId('import-run-input').setInputFiles(zipPath);
  await expect(fresh.getByTestId('eval-accuracy')).toHaveAttribute('data-value', String(accuracy), { timeout: 60_000 });
  await expect(fresh.getByTestId('plan-mode-embedding')).toHaveValue('lora');
  await expect(fresh.getByTestId('plan-rank-embedding')).toHaveValue('2');
  for (const name of ['conv1', 'conv2', 'conv3']) await expect(fresh.getByTestId(`plan-mode-${name}`)).toHaveValue('frozen');
  await expect(fresh.getByTestId('download-bundle')).toBeEnabled();
  await expect(fresh.getByTestId('try-input')).toBeEnabled();
  expect(freshErrors).toEqual([]);
  await fresh.close();
});

test('own model from files or a URL; a failure keeps the previous model; continue from the last run', async ({ page }) => {
  const errors = collectPageErrors(page);
  await openStudio(page);
  const rows = page.getByTestId('model-layer-row');
  const layerCount = await rows.count();

  // A URL that is not a model: the engine's sentence in the banner, the model stays.
  await page.getByTestId('model-source-toggle').click();
  await page.getByTestId('model-url-input').fill('models/nope/model.json');
  await page.getByTestId('model-url-load').click();
  await expect(page.getByTestId('error-banner')).toContainText('previous model is kept');
  await expect(page.getByTestId('model-origin')).toHaveText('Using: Built-in model');
  await expect(rows).toHaveCount(layerCount);
  await page.getByTestId('error-banner').getByRole('button').click();

  // Only model.json, no weights: refused, nothing changes.
  const modelDir = join(REPO_ROOT, 'public/models/shapes-cnn');
  await page.getByTestId('model-files-input').setInputFiles([join(modelDir, 'model.json')]);
  await expect(page.getByTestId('error-banner')).toBeVisible();
  await expect(page.getByTestId('model-origin')).toHaveText('Using: Built-in model');
  await page.getByTestId('error-banner').getByRole('button').click();

  // The whole model from files: loaded, plan reset.
  await page.getByTestId('plan-mode-conv3').selectOption('lora');
  await page.getByTestId('model-files-input').setInputFiles(['model.json', 'weights.bin', 'tabtune.json'].map((f) => join(modelDir, f)));
  await expect(page.getByTestId('model-origin')).toHaveText('Using: Your model (files)');
  await expect(rows).toHaveCount(layerCount);
  await expect(page.getByTestId('plan-mode-conv3')).toHaveValue('frozen');
  await page.getByTestId('model-builtin').click();
  await expect(page.getByTestId('model-origin')).toHaveText('Using: Built-in model');

  // Continue: only after a run; a changed plan is refused with the engine's sentence.
  await expect(page.getByTestId('continue-checkbox')).toBeDisabled();
  await page.getByTestId('epochs-input').fill('2');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 60_000 });
  await expect(page.getByTestId('continue-checkbox')).toBeEnabled();
  await page.getByTestId('continue-checkbox').check();
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 60_000 });
  await page.getByTestId('plan-mode-embedding').selectOption('lora');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('error-banner')).toContainText('keep its layer plan');
  // The last run is still there to try and export.
  await expect(page.getByTestId('download-bundle')).toBeEnabled();
  expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
});
