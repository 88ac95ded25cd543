/**
 * Test helper (not a test itself): a tiny language-model task on the transformers-written tiny GPT-2
 * in fixtures/hf-tiny, with fresh seeded LoRA on c_attn and a toy dataset with a pattern to learn.
 * Only tests import this file (the fixture reader uses node:fs). train/testdata/old-loop holds
 * checkpoints of this very task (seeds, rows, config): change it and those fixtures no longer match.
 */
import type { LmTrainConfig } from '../api.ts';
import { DEFAULT_LM_TRAIN_CONFIG } from '../api.ts';
import { createRng } from '../data/rng.ts';
import type { LmExample } from '../data/text/lmTypes.ts';
import { fixtureReader } from '../models/hf/hfTestFixtures.ts';
import type { HfCausalLm } from '../models/hf/hfTypes.ts';
import { loadHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { createLmLora, disposeLmLora } from './createLmLora.ts';
import { planParams } from './lmPlanSummary.ts';
import type { LmTask } from './lmLoopSpec.ts';

export const loadTinyGpt2 = (): Promise<HfCausalLm> => loadHfCausalLm(fixtureReader('tiny-gpt2', 'base'), 'tiny-gpt2');

/** `n` rows counting up from a random start (mod 40) with random lengths 5..12: next tokens are easy to learn. */
export function countingExamples(n: number, seed: number): LmExample[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const start = Math.floor(rng() * 40);
    const length = 5 + Math.floor(rng() * 8);
    const ids = Int32Array.from({ length }, (_, t) => 10 + ((start + t) % 40));
    return { ids, mask: new Uint8Array(length).fill(1) };
  });
}

/** A fresh task: LoRA (r 4, dropout `dropout`) on every c_attn, 24 training and 8 validation rows. */
export function tinyLmTask(lm: HfCausalLm, dropout = 0.1): { task: LmTask; dispose: () => void } {
  const plan = Object.fromEntries(lm.modules.filter((m) => m.name === 'c_attn').map((m) => [m.path, { kind: 'lora' as const, r: 4, alpha: 8, dropout }]));
  const lora = createLmLora(plan, lm.modules, createRng(7));
  const examples = countingExamples(32, 3);
  const task: LmTask = {
    lm,
    lora,
    params: planParams(lora),
    train: Array.from({ length: 24 }, (_, i) => i),
    validation: Array.from({ length: 8 }, (_, i) => 24 + i),
    examples,
    maxLength: 16,
    padId: 0,
    recompute: false,
  };
  return { task, dispose: () => disposeLmLora(lora) };
}

export const tinyLmConfig = (extra: Partial<LmTrainConfig> = {}): LmTrainConfig => ({
  ...DEFAULT_LM_TRAIN_CONFIG,
  learningRate: 0.01,
  batchSize: 4,
  gradAccumulation: 2,
  steps: 12,
  evalEvery: 4,
  schedule: { kind: 'cosine', warmupSteps: 2 },
  clipNorm: 1,
  ...extra,
});
