/**
 * preferenceLoss.test.ts on real WebGPU (Dawn in Node; SwiftShader where no GPU exists): a DPO step
 * from the hidden states through the chunked head, with gradient checkpointing, gives
 * the full-logits loss, log-probabilities and LoRA gradients (tiny Llama, fixtures/dpo).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCE_SETTINGS } from '../api/preferenceTypes.ts';
import { startBackend } from '../backend/startBackend.ts';
import { fixtureLora, fixtureReader } from '../models/hf/hfTestFixtures.ts';
import { loadHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { dpoFixtureBatch, preferenceStep } from '../testing/preferenceStep.ts';
import { requireDawnGpu } from '../testing/requireDawnGpu.ts';
import { tf } from '../tf.ts';

describe('preferenceLogps from hidden states on WebGPU (Dawn)', () => {
  // Fails, with what to install, where Dawn has no Vulkan driver to run on.
  beforeAll(() => requireDawnGpu());
  afterAll(() => tf.disposeVariables());

  it('gives the full-logits DPO loss, log-probabilities and LoRA gradients, with checkpointing', async () => {
    expect((await startBackend('webgpu')).name).toBe('webgpu');
    const lm = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama');
    const lora = fixtureLora('tiny-llama');
    const batch = dpoFixtureBatch();
    const s = DEFAULT_PREFERENCE_SETTINGS;
    const full = await preferenceStep(lm, lora, batch, 'full', s);
    const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
    // Checkpointed: the chunked head and the recomputed blocks at once (CPU and WASM check each alone).
    for (const path of ['recompute'] as const) {
      const ours = await expectNoTensorLeak(() => preferenceStep(lm, lora, batch, path, s));
      const worstGrad = Math.max(...ours.grads.map((g, i) => maxDiff(g, full.grads[i]!) / full.grads[i]!.reduce((m, x) => Math.max(m, Math.abs(x)), 0)));
      console.log(`DPO step on WebGPU, ${path}: |loss - full| ${Math.abs(ours.loss - full.loss).toExponential(2)}, log-probabilities ${maxDiff(ours.logps, full.logps).toExponential(2)}, gradients (relative) ${worstGrad.toExponential(2)}`);
      expect(Math.abs(ours.loss - full.loss)).toBeLessThan(1e-4);
      expect(maxDiff(ours.logps, full.logps)).toBeLessThan(1e-3);
      expect(worstGrad).toBeLessThan(1e-3);
    }
  });
});
