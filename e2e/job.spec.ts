/**
 * "Run on a cluster" in the studio (WASM): the built-in model and the sample chat data exported as an
 * Accelerate + PEFT job zip, checked here; and a job's output folder taken back through the drop
 * zone: the adapter is applied and the job's loss history drawn. The output taken back
 * (fixtures/job/tiny-chat-lm-job/output) is what such a studio-exported job wrote on 2 CPU
 * processes (see fixtures/job/README.md). JOB_ZIP_OUT=<file> keeps the exported zip to run it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { collectPageErrors, downloadBytes } from './helpers.ts';

const REPO = new URL('../', import.meta.url).pathname;

test('Run on a cluster: the job zip, then the job output taken back', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = collectPageErrors(page);
  await page.goto('./?backend=wasm&mode=lm');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  await page.getByTestId('lm-builtin').click();
  await expect(page.getByTestId('lm-model-summary')).toHaveAttribute('data-architecture', 'llama', { timeout: 60_000 });
  await page.getByTestId('lm-data-input').setInputFiles(join(REPO, 'public/datasets/chat-sample.jsonl'));
  await expect(page.getByTestId('lm-data-format')).toContainText('chat', { timeout: 30_000 });
  await page.getByTestId('lm-preset-default').click();
  await expect.poll(async () => Number(await page.getByTestId('lm-trainable').getAttribute('data-value'))).toBeGreaterThan(0);
  await page.getByTestId('lm-steps').fill('12');
  await page.getByTestId('lm-eval-every').fill('6');
  await page.getByTestId('lm-lr').fill('0.01');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lm-export-job').click()]);
  const zip = await downloadBytes(download);
  if (process.env.JOB_ZIP_OUT) writeFileSync(process.env.JOB_ZIP_OUT, zip);
  const files = unzipSync(new Uint8Array(zip));
  const names = Object.keys(files).map((n) => n.replace(/^[^/]+\//, '')).sort();
  expect(names).toEqual(['README.md', 'accelerate.yaml', 'accelerate_fsdp.yaml', 'data/train.jsonl', 'data/validation.jsonl', 'job.json', 'launch.sh', 'lora/adapter_config.json', 'requirements.txt', 'train.py']);
  const read = (name: string) => strFromU8(Object.entries(files).find(([n]) => n.endsWith(`/${name}`))![1]);
  const spec = JSON.parse(read('job.json')) as { model: { url: string }; hyperparameters: Record<string, number | string>; data: { train_rows: number; validation_rows: number } };
  expect(spec.model.url).toMatch(/\/models\/tiny-chat-lm\/$/);
  expect(spec.hyperparameters).toMatchObject({ max_steps: 12, eval_steps: 6, learning_rate: 0.01 });
  // The sample's 200 conversations, as the studio split them.
  expect(spec.data.train_rows + spec.data.validation_rows).toBe(200);
  expect(read('data/train.jsonl').trimEnd().split('\n')).toHaveLength(spec.data.train_rows);
  expect(JSON.parse(read('lora/adapter_config.json'))).toMatchObject({ peft_type: 'LORA', target_modules: ['q_proj', 'v_proj'] });
  await expect(page.getByTestId('lm-job-file')).toHaveCount(10);

  // A folder that is not a job's output is refused, naming what it lacks.
  await page.getByTestId('lm-import-job-input').setInputFiles(join(REPO, 'fixtures/job/tiny-chat-lm-job/output/adapter'));
  await expect(page.getByTestId('error-banner')).toContainText('output/trainer_state.json, output/job_result.json are missing');

  // The job's output: its adapter applied, its 12 steps drawn.
  await page.getByTestId('lm-import-job-input').setInputFiles(join(REPO, 'fixtures/job/tiny-chat-lm-job/output'));
  await expect(page.getByTestId('lm-imported-adapter')).toBeVisible();
  await expect(page.getByTestId('lm-loss-chart')).toHaveAttribute('data-step-points', '12');
  await expect(page.getByTestId('lm-loss-chart')).toHaveAttribute('data-eval-points', '2');
  // Tried and exported like any adapter.
  await expect(page.getByTestId('lm-export-adapter')).toBeEnabled();
  expect(errors).toEqual([]);
});
