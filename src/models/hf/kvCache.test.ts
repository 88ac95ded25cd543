import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { tf, type Tensor } from '../../tf.ts';
import { causalLmLogits } from './causalLmLogits.ts';
import { disposeLora, fixtureLora, fixtureReader, fixtureReference, PARITY_MODELS, type FixtureModel } from './hfTestFixtures.ts';
import type { HfCausalLm, KvCache, LmLora } from './hfTypes.ts';
import { disposeKvCache, emptyKvCache } from './kvCache.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxAbsDiff(a: Tensor, b: Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe.each<FixtureModel>(PARITY_MODELS)('%s KV cache', (model) => {
  const seq = fixtureReference(model).ids[0]!;
  let lm: HfCausalLm;
  let lora: LmLora;
  beforeAll(async () => {
    lm = await loadHfCausalLm(fixtureReader(model, 'base'), model);
    lora = fixtureLora(model);
  });
  afterAll(() => {
    disposeHfCausalLm(lm);
    disposeLora(lora);
  });

  it('decoding token by token gives the full forward pass logits', async () => {
    const ids = tf.tensor2d([seq], undefined, 'int32');
    const full = causalLmLogits(lm, ids, { lora }).logits; // [1, T, V]
    await expectNoTensorLeak(() => {
      let cache: KvCache = emptyKvCache();
      // prefill 3 tokens, then one at a time
      const steps = [seq.slice(0, 3), ...seq.slice(3).map((x) => [x])];
      let pos = 0;
      for (const step of steps) {
        const stepIds = tf.tensor2d([step], undefined, 'int32');
        const out = causalLmLogits(lm, stepIds, { lora, cache });
        disposeKvCache(cache);
        cache = out.cache!;
        expect(cache.length).toBe(pos + step.length);
        const expected = tf.slice(full, [0, pos, 0], [1, step.length, -1]);
        expect(maxAbsDiff(out.logits, expected)).toBeLessThan(1e-5);
        tf.dispose([stepIds, out.logits, expected]);
        pos += step.length;
      }
      expect(pos).toBe(seq.length);
      disposeKvCache(cache);
    });
    tf.dispose([ids, full]);
  });

  it('the cache with a padding mask over past and current tokens matches the unpadded run', () => {
    const ids = tf.tensor2d([seq.slice(0, 4)], undefined, 'int32');
    const full = causalLmLogits(lm, ids).logits;
    const first = causalLmLogits(lm, tf.tensor2d([seq.slice(0, 3)], undefined, 'int32'), { cache: emptyKvCache(), attentionMask: tf.ones([1, 3], 'int32') as tf.Tensor2D });
    const next = causalLmLogits(lm, tf.tensor2d([[seq[3]!]], undefined, 'int32'), { cache: first.cache, attentionMask: tf.ones([1, 4], 'int32') as tf.Tensor2D });
    const last = tf.slice(full, [0, 3, 0], [1, 1, -1]);
    expect(maxAbsDiff(next.logits, last)).toBeLessThan(1e-5);
    expect(() => causalLmLogits(lm, tf.tensor2d([[1]], undefined, 'int32'), { cache: next.cache, attentionMask: tf.ones([1, 1], 'int32') as tf.Tensor2D })).toThrow(/attention mask has 1 columns/);
  });
});
