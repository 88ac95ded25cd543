/**
 * Parity on real WebGPU (Dawn in Node; SwiftShader where no GPU exists): base and adapted logits of
 * the transformers + PEFT fixtures within 1e-3, both sequences in one right-padded batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../backend/startBackend.ts';
import { requireDawnGpu } from '../../testing/requireDawnGpu.ts';
import { tf } from '../../tf.ts';
import { causalLmLogits } from './causalLmLogits.ts';
import { disposeLora, fixtureLora, fixtureReader, fixtureReference, paddedBatch, PARITY_MODELS } from './hfTestFixtures.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';

async function maxDiff(logits: tf.Tensor, ref: number[][][], lengths: number[]): Promise<number> {
  const values = (await logits.array()) as number[][][];
  let max = 0;
  ref.forEach((seq, b) => {
    for (let t = 0; t < lengths[b]!; t++) seq[t]!.forEach((x, v) => (max = Math.max(max, Math.abs(values[b]![t]![v]! - x))));
  });
  return max;
}

describe('Hugging Face causal LMs on WebGPU (Dawn)', () => {
  // Fails, with what to install, where Dawn has no Vulkan driver to run on.
  beforeAll(() => requireDawnGpu());
  afterAll(() => tf.disposeVariables());

  for (const model of PARITY_MODELS) {
    it(`${model}: base and adapted logits within 1e-3 of transformers + PEFT, in one padded batch`, async () => {
      const report = await startBackend('webgpu');
      expect(report.name).toBe('webgpu');
      const lm = await loadHfCausalLm(fixtureReader(model, 'base'), model);
      const lora = fixtureLora(model);
      const ref = fixtureReference(model);
      const lengths = ref.ids.map((s) => s.length);
      const { ids, mask } = paddedBatch(ref.ids);
      const base = causalLmLogits(lm, ids, { attentionMask: mask }).logits;
      const adapted = causalLmLogits(lm, ids, { attentionMask: mask, lora }).logits;
      const diffs = [await maxDiff(base, ref.base, lengths), await maxDiff(adapted, ref.adapted, lengths)];
      console.log(`${model} on WebGPU: max |logit - reference| base ${diffs[0]!.toExponential(2)}, adapted ${diffs[1]!.toExponential(2)}`);
      expect(diffs[0]).toBeLessThan(1e-3);
      expect(diffs[1]).toBeLessThan(1e-3);
      tf.dispose([base, adapted, ids, mask]);
      disposeLora(lora);
      disposeHfCausalLm(lm);
    });
  }
});
