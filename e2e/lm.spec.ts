/**
 * A language model fine-tuned in the studio on real WebGPU: the built-in tiny model served from a
 * local server in the Hugging Face Hub's layout (<org>/<name>/resolve/main/<file>) and loaded by URL,
 * a chat JSONL dropped in, LoRA on two projections with different ranks, training, generation with
 * the adapter off and on (the outputs differ), and the PEFT adapter downloaded and checked here.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { collectPageErrors, downloadBytes, parseSafetensors } from './helpers.ts';

const REPO = new URL('../', import.meta.url).pathname;
const HUB_PORT = 4319;
let server: Server;
let requests: string[] = [];

test.beforeAll(async () => {
  // The Hub's layout, on a local server that (like the Hub) answers cross-origin requests.
  const root = mkdtempSync(join(tmpdir(), 'tabtune-hub-'));
  cpSync(join(REPO, 'public/models/tiny-chat-lm'), join(root, 'test-org/tiny-chat-lm/resolve/main'), { recursive: true });
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.setHeader('access-control-allow-origin', '*');
    try {
      const body = readFileSync(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(HUB_PORT, '127.0.0.1', resolve));
});
test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('LoRA on a Hub-layout model by URL: train on chat data, generate with and without the adapter, download PEFT files', async ({ page }) => {
  test.setTimeout(420_000);
  const errors = collectPageErrors(page);
  requests = [];
  await page.goto('./?backend=webgpu&mode=lm');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');

  // The studio opens on the built-in model; other sources are one click away.
  await expect(page.getByTestId('lm-model-summary')).toBeVisible();
  await page.getByTestId('lm-model-source-toggle').click();
  await page.getByTestId('lm-hub-input').fill(`http://127.0.0.1:${HUB_PORT}/test-org/tiny-chat-lm/resolve/main/`);
  await page.getByTestId('lm-hub-load').click();
  // The built-in model is llama too, so wait for this load to finish, not for the word.
  await expect(page.getByTestId('lm-model-summary')).toContainText(`from http://127.0.0.1:${HUB_PORT}/test-org/`, { timeout: 60_000 });
  await expect(page.getByTestId('lm-model-progress')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('lm-model-summary')).toContainText('llama');
  // A float32 checkpoint under 'auto' storage stays float32, and the summary says so.
  await expect(page.getByTestId('lm-weight-storage')).toHaveValue('auto');
  await expect(page.getByTestId('lm-model-summary')).toContainText('(float32)');
  expect(requests).toContain('/test-org/tiny-chat-lm/resolve/main/config.json');
  expect(requests).toContain('/test-org/tiny-chat-lm/resolve/main/model.safetensors');

  await page.getByTestId('lm-data-input').setInputFiles(join(REPO, 'public/datasets/chat-sample.jsonl'));
  await expect(page.getByTestId('lm-data-format')).toContainText('chat', { timeout: 30_000 });

  // LoRA r=4 on every q_proj, r=2 on every v_proj, everything else frozen, through the table.
  await page.getByTestId('lm-preset-none').click();
  const layers = await page.locator('[data-testid^="lm-plan-"][data-testid$="-q_proj"]').count();
  expect(layers).toBeGreaterThan(0);
  for (let l = 0; l < layers; l++) {
    await page.getByTestId(`lm-plan-${l}-q_proj`).selectOption('lora');
    await page.getByTestId(`lm-rank-${l}-q_proj`).fill('4');
    await page.getByTestId(`lm-rank-${l}-q_proj`).press('Tab');
    await page.getByTestId(`lm-plan-${l}-v_proj`).selectOption('lora');
    await page.getByTestId(`lm-rank-${l}-v_proj`).fill('2');
    await page.getByTestId(`lm-rank-${l}-v_proj`).press('Tab');
  }
  await expect.poll(async () => Number(await page.getByTestId('lm-trainable').getAttribute('data-value'))).toBeGreaterThan(0);

  // A higher learning rate than the default: 40 steps on two projections must visibly change the replies.
  await page.getByTestId('lm-lr').fill('0.01');
  await page.getByTestId('lm-steps').fill('40');
  await page.getByTestId('lm-eval-every').fill('20');
  await page.getByTestId('lm-train').click();
  // 40 steps on SwiftShader: about 2.5 minutes on 2 idle cores, more on a busy machine.
  await expect(page.getByTestId('lm-run-state')).toHaveAttribute('data-state', 'done', { timeout: 360_000 });
  const adaptedLoss = Number(await page.getByTestId('lm-val-loss').getAttribute('data-value'));
  const baseLoss = Number(await page.getByTestId('lm-base-val-loss').getAttribute('data-value'));
  expect(adaptedLoss).toBeLessThan(baseLoss);

  await page.getByTestId('lm-prompt').fill('What color is the fox?');
  await page.getByTestId('lm-max-new-tokens').fill('16');
  await page.getByTestId('lm-generate').click();
  await expect(page.getByTestId('lm-output-base')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('lm-output-adapted')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  const base = await page.getByTestId('lm-output-base').textContent();
  const adapted = await page.getByTestId('lm-output-adapted').textContent();
  expect(adapted).not.toBe(base);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lm-export-adapter').click()]);
  const files = unzipSync(await downloadBytes(download));
  const config = JSON.parse(new TextDecoder().decode(files['adapter_config.json']));
  expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', fan_in_fan_out: false, use_rslora: false, bias: 'none' });
  expect([...config.target_modules].sort()).toEqual(['q_proj', 'v_proj']);
  // One rank is the default r, the other travels in rank_pattern.
  expect(new Set([config.r, ...Object.values(config.rank_pattern as Record<string, number>)])).toEqual(new Set([4, 2]));
  const tensors = parseSafetensors(Buffer.from(files['adapter_model.safetensors']!));
  expect(tensors.metadata).toEqual({ format: 'pt' });
  const names = Object.keys(tensors.tensors);
  expect(names).toHaveLength(layers * 4);
  const summary = await page.getByTestId('lm-model-summary').getAttribute('data-hidden');
  const hidden = Number(summary);
  for (let l = 0; l < layers; l++) {
    const q = `base_model.model.model.layers.${l}.self_attn.q_proj`;
    const v = `base_model.model.model.layers.${l}.self_attn.v_proj`;
    expect(tensors.tensors[`${q}.lora_A.weight`]!.shape).toEqual([4, hidden]);
    expect(tensors.tensors[`${q}.lora_B.weight`]!.shape[1]).toBe(4);
    expect(tensors.tensors[`${v}.lora_A.weight`]!.shape).toEqual([2, hidden]);
    expect(tensors.tensors[`${v}.lora_B.weight`]!.shape[1]).toBe(2);
  }
  expect(errors).toEqual([]);
});
