/**
 * New model families in the studio on real WebGPU, with the tiny transformers + PEFT fixtures of
 * fixtures/hf-families dropped in as folders: phi3's plan table shows its fused projections once,
 * a config with a feature the engine lacks is refused with the field named, and a Qwen3 model is
 * fine-tuned with LoRA (PEFT's default targets), generates with and without the adapter, and its
 * adapter downloads in PEFT's layout.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { collectPageErrors, downloadBytes, parseSafetensors } from './helpers.ts';

const FAMILIES = new URL('../fixtures/hf-families/', import.meta.url).pathname;

test('Qwen3 fine-tuned in the studio on WebGPU; phi3 fused projections shown once; an unsupported rope refused by name', async ({ page }) => {
  test.setTimeout(420_000);
  const errors = collectPageErrors(page);
  const tmp = mkdtempSync(join(tmpdir(), 'tabtune-families-'));
  await page.goto('./?backend=webgpu&mode=lm');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');

  // phi3: qkv_proj and gate_up_proj are one column each, marked as fused, and PEFT's defaults pick them.
  await page.getByTestId('lm-model-files-input').setInputFiles(join(FAMILIES, 'phi3/base'));
  await expect(page.getByTestId('lm-model-family')).toHaveText('Phi-3 / Phi-4', { timeout: 60_000 });
  await expect(page.getByTestId('lm-col-fused-qkv_proj')).toHaveText('fused 3');
  await expect(page.getByTestId('lm-col-fused-gate_up_proj')).toHaveText('fused 2');
  await expect(page.getByTestId('lm-col-q_proj')).toHaveCount(0);
  await page.getByTestId('lm-preset-default').click();
  // 2 blocks x r 8 x (qkv 32+64, o 32+32, gate_up 32+128, down 64+32)
  await expect(page.getByTestId('lm-trainable')).toHaveAttribute('data-value', String(2 * 8 * (96 + 64 + 160 + 96)));

  // A config asking for a rotary embedding the engine does not compute: refused, naming the field; phi3 stays loaded.
  const refused = join(tmp, 'refused-mrope');
  cpSync(join(FAMILIES, 'qwen3/base'), refused, { recursive: true });
  const config = JSON.parse(readFileSync(join(refused, 'config.json'), 'utf8'));
  writeFileSync(join(refused, 'config.json'), JSON.stringify({ ...config, rope_parameters: { rope_type: 'mrope', rope_theta: 10000 } }));
  await page.getByTestId('lm-model-files-input').setInputFiles(refused);
  await expect(page.getByTestId('error-banner')).toContainText('rope_type "mrope" is not supported');
  await expect(page.getByTestId('lm-model-family')).toHaveText('Phi-3 / Phi-4');
  await page.getByTestId('error-banner').getByRole('button').first().click();

  // Qwen3: q/k norms and an explicit head_dim; LoRA on q_proj and v_proj (PEFT's default for qwen3).
  await page.getByTestId('lm-model-files-input').setInputFiles(join(FAMILIES, 'qwen3/base'));
  await expect(page.getByTestId('lm-model-family')).toHaveText('Qwen3', { timeout: 60_000 });
  await expect(page.getByTestId('lm-col-q_proj')).toBeVisible();
  await page.getByTestId('lm-preset-default').click();
  const data = join(tmp, 'pairs.jsonl');
  writeFileSync(data, Array.from({ length: 48 }, (_, i) => JSON.stringify({ prompt: `q${i % 4}:`, completion: ` a${i % 4}!` })).join('\n'));
  await page.getByTestId('lm-data-input').setInputFiles(data);
  await expect(page.getByTestId('lm-data-format')).toContainText('prompt', { timeout: 30_000 });
  await page.getByTestId('lm-lr').fill('0.02');
  await page.getByTestId('lm-steps').fill('30');
  await page.getByTestId('lm-eval-every').fill('15');
  await page.getByTestId('lm-train').click();
  await expect(page.getByTestId('lm-run-state')).toHaveAttribute('data-state', 'done', { timeout: 300_000 });
  const adaptedLoss = Number(await page.getByTestId('lm-val-loss').getAttribute('data-value'));
  const baseLoss = Number(await page.getByTestId('lm-base-val-loss').getAttribute('data-value'));
  expect(adaptedLoss).toBeLessThan(baseLoss);

  // Generation through the KV cache, base and adapted.
  await page.getByTestId('lm-prompt').fill('q1:');
  await page.getByTestId('lm-max-new-tokens').fill('6');
  await page.getByTestId('lm-generate').click();
  await expect(page.getByTestId('lm-output-base')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('lm-output-adapted')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lm-export-adapter').click()]);
  const files = unzipSync(await downloadBytes(download));
  const adapterConfig = JSON.parse(new TextDecoder().decode(files['adapter_config.json']));
  expect([...adapterConfig.target_modules].sort()).toEqual(['q_proj', 'v_proj']);
  const tensors = parseSafetensors(Buffer.from(files['adapter_model.safetensors']!)).tensors;
  const r = adapterConfig.r as number;
  // qwen3's head_dim 16 x 4 heads = 64 query features from hidden 32; 2 kv heads x 16 = 32 value features
  expect(tensors['base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight']!.shape).toEqual([r, 32]);
  expect(tensors['base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight']!.shape).toEqual([64, r]);
  expect(tensors['base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight']!.shape).toEqual([32, r]);
  expect(Object.keys(tensors)).toHaveLength(8);
  expect(errors).toEqual([]);
});
