import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { collectPageErrors, downloadBytes } from './helpers.ts';

/** The safetensors header alone (8-byte little-endian length, then JSON), parsed here, not by the app. */
function safetensorsHeader(bytes: Uint8Array): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  delete header.__metadata__;
  return header as ReturnType<typeof safetensorsHeader>;
}

const text = (bytes: Uint8Array | undefined): string => {
  if (!bytes) throw new Error('missing file');
  return new TextDecoder().decode(bytes);
};

/** Real WebGPU (SwiftShader on machines without a GPU); TABTUNE_E2E_BACKEND=wasm runs the same flow on WASM. */
const BACKEND = process.env.TABTUNE_E2E_BACKEND ?? 'webgpu';

test(`LoRA on conv3 and embedding: live totals, a ${BACKEND} run, and the whole bundle`, async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto(`./?backend=${BACKEND}`);
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  await expect(page.getByTestId('backend-name')).toHaveText(BACKEND);

  // The sample has 4 classes and the features are 64 wide: the head alone is 64*4+4.
  const head = 64 * 4 + 4;
  await expect(page.getByTestId('plan-trainable')).toHaveText(head.toLocaleString('en-US'));

  // conv3: LoRA at the default rank 4 (alpha follows as 2r).
  await page.getByTestId('plan-mode-conv3').selectOption('lora');
  await expect(page.getByTestId('plan-rank-conv3')).toHaveValue('4');
  await expect(page.getByTestId('plan-alpha-conv3')).toHaveValue('8');
  // Dropout 0 and rsLoRA off by default; the checkbox works from the keyboard (toggled back off here).
  await expect(page.getByTestId('plan-dropout-conv3')).toHaveValue('0');
  const rslora = page.getByTestId('plan-rslora-conv3');
  await expect(rslora).not.toBeChecked();
  await rslora.focus();
  await page.keyboard.press('Space');
  await expect(rslora).toBeChecked();
  await page.keyboard.press('Space');
  await expect(rslora).not.toBeChecked();

  // embedding: a rank too large for a 64 -> 64 layer is rejected with a sentence naming it, and Train waits.
  await page.getByTestId('plan-mode-embedding').selectOption('lora');
  await page.getByTestId('plan-rank-embedding').fill('100');
  await expect(page.getByTestId('plan-error')).toContainText('embedding');
  await expect(page.getByTestId('train-button')).toBeDisabled();
  await page.getByTestId('plan-rank-embedding').fill('2');
  await expect(page.getByTestId('plan-error')).toHaveCount(0);
  await expect(page.getByTestId('plan-alpha-embedding')).toHaveValue('4');

  // The rest stays frozen.
  for (const name of ['conv1', 'conv2']) await expect(page.getByTestId(`plan-mode-${name}`)).toHaveValue('frozen');

  const conv3Lora = 4 * (32 * 3 * 3 + 64); // A [fanIn = 3*3*32, r] and B [r, 64]
  const embeddingLora = 2 * (64 + 64);
  const expected = head + conv3Lora + embeddingLora;
  expect(expected).toBe(1924);
  await expect(page.getByTestId('plan-trainable')).toHaveText(expected.toLocaleString('en-US'));
  await expect(page.getByTestId('plan-percent')).toHaveText(/^\d+(\.\d+)?%$/);
  await expect(page.getByTestId('plan-memory-total')).toHaveText(/^\d+(\.\d+)? (B|KB|MB|GB)$/);

  await page.getByTestId('epochs-input').fill('2');
  await page.getByTestId('batch-input').fill('16');
  const trainStart = Date.now();
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('plan-mode-conv3')).toBeDisabled();
  await expect(page.getByTestId('plan-dropout-conv3')).toBeDisabled();
  await expect(page.getByTestId('plan-rslora-conv3')).toBeDisabled();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 180_000 });
  console.log(`plan run (${BACKEND}, 2 epochs): ${((Date.now() - trainStart) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('plan-mode-conv3')).toBeEnabled();

  const chart = page.getByTestId('loss-chart');
  expect(Number(await chart.getAttribute('data-step-points'))).toBeGreaterThan(0);
  await expect(chart).toHaveAttribute('data-epoch-points', '2');

  // Everything in one zip, downloaded through the browser and read here.
  // Fail fast, with the engine's sentence, when the export is reported in the error banner instead.
  const pending = page.waitForEvent('download', { timeout: 60_000 });
  const failed = page
    .getByRole('alert')
    .filter({ hasText: 'Could not export the bundle' })
    .waitFor({ timeout: 60_000 })
    .then(async () => {
      throw new Error(`export failed: ${await page.getByRole('alert').first().innerText()}`);
    });
  await page.getByTestId('download-bundle').click();
  const download = await Promise.race([pending, failed]);
  failed.catch(() => {});
  expect(download.suggestedFilename()).toMatch(/\.zip$/);
  const zip = unzipSync(new Uint8Array(await downloadBytes(download)));
  const required = [
    'tabtune.json',
    'head.safetensors',
    'adapter/adapter_config.json',
    'adapter/adapter_model.safetensors',
    'merged/model.json',
    'merged/weights.bin',
  ];
  for (const f of required) expect(Object.keys(zip), f).toContain(f);
  const listed = await page.getByTestId('bundle-file').allTextContents();
  expect(listed.sort()).toEqual(Object.keys(zip).sort());

  // The PEFT adapter: PyTorch layouts (conv A [r, in, kh, kw], B [out, r, 1, 1]; dense A [r, in], B [out, r]).
  const adapter = safetensorsHeader(zip['adapter/adapter_model.safetensors']!);
  const shapes = Object.fromEntries(Object.entries(adapter).map(([k, v]) => [k, v.shape]));
  expect(shapes).toMatchObject({
    'base_model.model.conv3.lora_A.weight': [4, 32, 3, 3],
    'base_model.model.conv3.lora_B.weight': [64, 4, 1, 1],
    'base_model.model.embedding.lora_A.weight': [2, 64],
    'base_model.model.embedding.lora_B.weight': [64, 2],
  });

  const config = JSON.parse(text(zip['adapter/adapter_config.json'])) as {
    peft_type: string;
    r: number;
    lora_alpha: number;
    target_modules: string[];
    rank_pattern?: Record<string, number>;
    alpha_pattern?: Record<string, number>;
  };
  expect(config.peft_type).toBe('LORA');
  expect(config.target_modules).toEqual(expect.arrayContaining(['conv3', 'embedding']));
  const rankOf = (name: string): number => config.rank_pattern?.[name] ?? config.r;
  const alphaOf = (name: string): number => config.alpha_pattern?.[name] ?? config.lora_alpha;
  expect([rankOf('conv3'), rankOf('embedding')]).toEqual([4, 2]);
  expect([alphaOf('conv3'), alphaOf('embedding')]).toEqual([8, 4]);

  // The merged TF.js model: one weights file holding exactly the float32 weights its manifest lists.
  const merged = JSON.parse(text(zip['merged/model.json'])) as {
    modelTopology: unknown;
    weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  };
  expect(merged.modelTopology).toBeTruthy();
  expect(merged.weightsManifest.flatMap((g) => g.paths)).toEqual(['weights.bin']);
  const specs = merged.weightsManifest.flatMap((g) => g.weights);
  for (const s of specs) expect(s.dtype, s.name).toBe('float32');
  const bytes = specs.reduce((sum, s) => sum + 4 * s.shape.reduce((p, d) => p * d, 1), 0);
  expect(zip['merged/weights.bin']!.byteLength).toBe(bytes);

  expect(errors).toEqual([]);
});
