/**
 * Vocabulary tables in row chunks on real WebGPU (Dawn in Node; SwiftShader where no GPU exists):
 * the tiny fixtures loaded under a buffer limit smaller than their tables give transformers' logits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceLimits } from '../../backend/deviceLimits.ts';
import { startBackend } from '../../backend/startBackend.ts';
import { requireDawnGpu } from '../../testing/requireDawnGpu.ts';
import { tf } from '../../tf.ts';
import { causalLmLogits } from './causalLmLogits.ts';
import { disposeLora, fixtureLora, fixtureReader, fixtureReference, type FixtureModel } from './hfTestFixtures.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';

/** Max |logits[0, t, v] - ref[t][v]|, read back asynchronously (WebGPU has no synchronous read). */
async function maxDiff(logits: tf.Tensor, ref: number[][]): Promise<number> {
  const values = ((await logits.array()) as number[][][])[0]!;
  let max = 0;
  ref.forEach((row, t) => row.forEach((x, v) => (max = Math.max(max, Math.abs(values[t]![v]! - x)))));
  return max;
}

describe('vocabulary tables in row chunks on WebGPU (Dawn)', () => {
  beforeAll(() => requireDawnGpu());
  afterAll(() => tf.disposeVariables());

  it('the device reports the limits the adapter offers, which loading reads', async () => {
    expect((await startBackend('webgpu')).name).toBe('webgpu');
    const adapter = (await navigator.gpu.requestAdapter())!;
    expect(deviceLimits()).toMatchObject({ maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize });
  });

  for (const [model, limit] of [['tiny-llama', 8192], ['tiny-gpt2', 16384]] as [FixtureModel, number][]) {
    it(`${model}: base and adapted logits within 1e-3 of transformers + PEFT with the table in chunks`, async () => {
      expect((await startBackend('webgpu')).name).toBe('webgpu');
      const lm = await loadHfCausalLm(fixtureReader(model, 'base'), model, undefined, { maxStorageBufferBindingSize: limit });
      expect(lm.rowChunks?.size).toBeGreaterThan(0);
      const lora = fixtureLora(model);
      const ref = fixtureReference(model);
      let max = 0;
      for (const [i, seq] of ref.ids.entries()) {
        const ids = tf.tensor2d([seq], undefined, 'int32');
        const base = causalLmLogits(lm, ids).logits;
        const adapted = causalLmLogits(lm, ids, { lora }).logits;
        max = Math.max(max, await maxDiff(base, ref.base[i]!), await maxDiff(adapted, ref.adapted[i]!));
        tf.dispose([ids, base, adapted]);
      }
      console.log(`${model} on WebGPU, table in ${[...lm.rowChunks!.values()][0]!.length} chunks: max |logit - reference| ${max.toExponential(2)}`);
      expect(max).toBeLessThan(1e-3);
      disposeLora(lora);
      disposeHfCausalLm(lm);
    });
  }
});
