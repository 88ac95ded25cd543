/**
 * preferenceLogps from the final hidden states through the chunked head gives the same summed
 * completion log-probabilities, losses and LoRA gradients as the full [2B, T, V] logits did (the
 * formula it replaced, kept in testing/preferenceStep.ts), with and without gradient checkpointing, on CPU and
 * WASM; and TRL's numbers of fixtures/dpo (tiny Llama with its PEFT adapter).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_PREFERENCE_SETTINGS, type PreferenceEvaluation, type PreferenceSettings } from '../api/preferenceTypes.ts';
import type { PreferenceBatch } from '../data/text/preferenceBatch.ts';
import { disposeLora, fixtureLora, fixtureReader } from '../models/hf/hfTestFixtures.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { dpoFixtureBatch, preferenceStep } from '../testing/preferenceStep.ts';
import { tf } from '../tf.ts';

const DPO = new URL('../../fixtures/dpo/', import.meta.url);
const trl = JSON.parse(readFileSync(new URL('tiny-llama-reference.json', DPO), 'utf8')) as PreferenceEvaluation;

describe.each(['cpu', 'wasm'])('preferenceLogps from hidden states on %s', (backend) => {
  let lm: HfCausalLm;
  let lora: LmLora;
  let batch: PreferenceBatch;

  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
    lm = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama');
    lora = fixtureLora('tiny-llama');
    batch = dpoFixtureBatch();
  });
  afterAll(async () => {
    disposeHfCausalLm(lm);
    disposeLora(lora);
    await tf.setBackend('cpu');
  });

  const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
  const maxAbs = (a: Float32Array): number => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

  it.each<Partial<PreferenceSettings>>([{ loss: 'sigmoid' }, { loss: 'ipo', beta: 0.5 }, { loss: 'orpo', beta: 0.1 }])(
    'gives the full-logits loss and LoRA gradients, with and without checkpointing (%o)',
    async (extra) => {
      const s = { ...DEFAULT_PREFERENCE_SETTINGS, ...extra };
      const full = await preferenceStep(lm, lora, batch, 'full', s);
      for (const path of ['chunked', 'recompute'] as const) {
        const ours = await expectNoTensorLeak(() => preferenceStep(lm, lora, batch, path, s));
        expect(Math.abs(ours.loss - full.loss), `${path} loss ${ours.loss} vs ${full.loss}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(full.loss)));
        expect(maxDiff(ours.logps, full.logps), `${path} log-probabilities`).toBeLessThan(2e-4);
        ours.grads.forEach((g, i) => {
          const scale = maxAbs(full.grads[i]!);
          expect(scale).toBeGreaterThan(0); // a real gradient, not zeros
          expect(maxDiff(g, full.grads[i]!) / scale, `${path} gradient ${i}`).toBeLessThan(1e-4);
        });
      }
    },
  );

  it("gives TRL's summed log-probabilities of fixtures/dpo within 1e-4", async () => {
    const ours = await preferenceStep(lm, lora, batch, 'chunked', DEFAULT_PREFERENCE_SETTINGS);
    trl.pairs.forEach((p, i) => {
      expect(Math.abs(ours.logps[i]! - p.policy_chosen_logps), `pair ${i} policy chosen`).toBeLessThan(1e-4);
      expect(Math.abs(ours.logps[4 + i]! - p.policy_rejected_logps), `pair ${i} policy rejected`).toBeLessThan(1e-4);
      expect(Math.abs(ours.logps[8 + i]! - p.ref_chosen_logps), `pair ${i} reference chosen`).toBeLessThan(1e-4);
      expect(Math.abs(ours.logps[12 + i]! - p.ref_rejected_logps), `pair ${i} reference rejected`).toBeLessThan(1e-4);
    });
    expect(Math.abs(ours.loss - trl.summary.loss)).toBeLessThan(1e-4);
  });
});
