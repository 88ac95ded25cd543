/**
 * Preference tuning in the studio on real WebGPU: the built-in tiny chat model, the built-in pirate
 * preference pairs dropped in (TRL's conversational format), previewed side by side, DPO for a few
 * steps with the rewards chart rising, Try it's log-probability gaps moving towards the chosen
 * answers, and the PEFT adapter downloaded and checked here.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { collectPageErrors, downloadBytes, parseSafetensors } from './helpers.ts';

const REPO = new URL('../', import.meta.url).pathname;

test('DPO on preference pairs: rewards and accuracies rise, the adapter prefers the chosen answers, PEFT files download', async ({ page }) => {
  // SwiftShader WebGPU on a shared CPU: each step runs the policy (forward and backward) and the reference.
  test.setTimeout(600_000);
  const errors = collectPageErrors(page);
  await page.goto('./?backend=webgpu&mode=lm');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await page.getByTestId('lm-builtin').click();
  await expect(page.getByTestId('lm-model-summary')).toContainText('llama', { timeout: 60_000 });

  await page.getByTestId('objective-preference').check();
  await page.getByTestId('pref-input').setInputFiles(join(REPO, 'public/datasets/pirate-prefs.jsonl'));
  await expect(page.getByTestId('pref-format')).toHaveAttribute('data-value', 'preference-chat', { timeout: 30_000 });
  await expect(page.getByTestId('pref-pairs')).toHaveAttribute('data-value', '60');
  const first = page.getByTestId('pref-pair').first();
  await expect(first.locator('.pref-preview__chosen')).toHaveText('Arr! Five plus three is eight, matey!');
  await expect(first.locator('.pref-preview__rejected')).toHaveText('Five plus three is eight.');

  await page.getByTestId('lm-preset-default').click();
  await expect.poll(async () => Number(await page.getByTestId('lm-trainable').getAttribute('data-value'))).toBeGreaterThan(0);
  await page.getByTestId('pref-beta').fill('0.1');
  await page.getByTestId('pref-validation-fraction').fill('0.05');
  await expect(page.getByTestId('pref-split')).toHaveText('57 / 3');
  await page.getByTestId('lm-lr').fill('0.02');
  await page.getByTestId('lm-batch').fill('2');
  await page.getByTestId('lm-steps').fill('6');
  await page.getByTestId('lm-eval-every').fill('6');
  await page.getByTestId('lm-train').click();
  await expect(page.getByTestId('lm-run-state')).toHaveAttribute('data-state', 'done', { timeout: 480_000 });

  // Step 1 starts at the reference (B = 0): rewards 0, no pair won. Then the chosen answers pull ahead.
  const chart = page.getByTestId('reward-chart');
  await expect(chart).toHaveAttribute('data-points', '6');
  expect(Number(await chart.getAttribute('data-first-margin'))).toBeCloseTo(0, 5);
  expect(Number(await chart.getAttribute('data-first-accuracy'))).toBe(0);
  expect(Number(await chart.getAttribute('data-last-margin'))).toBeGreaterThan(0);
  expect(Number(await chart.getAttribute('data-last-accuracy'))).toBeGreaterThan(0.5);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lm-export-adapter').click()]);
  const files = unzipSync(await downloadBytes(download));
  const config = JSON.parse(new TextDecoder().decode(files['adapter_config.json']));
  expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', bias: 'none' });
  expect([...config.target_modules].sort()).toEqual(['q_proj', 'v_proj']);
  const tensors = parseSafetensors(Buffer.from(files['adapter_model.safetensors']!));
  expect(tensors.metadata).toEqual({ format: 'pt' });
  const bs = Object.entries(tensors.tensors).filter(([name]) => name.endsWith('.lora_B.weight'));
  expect(bs.length).toBeGreaterThan(0);
  // Trained: B moved away from its zero start.
  expect(bs.every(([, t]) => t.values.some((v) => v !== 0))).toBe(true);
  await page.getByTestId('pref-try').click();
  await expect(page.getByTestId('pref-gap').first()).toBeVisible({ timeout: 120_000 });
  const gaps = await page.getByTestId('pref-gap').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-adapted-gap')) - Number(r.getAttribute('data-base-gap'))));
  expect(gaps.length).toBeGreaterThan(0);
  expect(gaps.filter((g) => g > 0).length).toBe(gaps.length);
  // The first validation prompt answered by the base and by the adapter (greedy, 16 tokens each).
  await expect(page.getByTestId('pref-answer').first()).not.toContainText('…', { timeout: 240_000 });

  expect(errors).toEqual([]);
});
