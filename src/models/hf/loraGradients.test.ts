import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { tf, type Scalar } from '../../tf.ts';
import { causalLmLogits } from './causalLmLogits.ts';
import { disposeLora, fixtureLora, fixtureReader, fixtureReference, PARITY_MODELS, type FixtureModel } from './hfTestFixtures.ts';
import type { HfCausalLm, LmLora } from './hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each<FixtureModel>(PARITY_MODELS)('%s LoRA training', (model) => {
  const seq = fixtureReference(model).ids[0]!;
  let lm: HfCausalLm;
  let lora: LmLora;
  beforeAll(async () => {
    lm = await loadHfCausalLm(fixtureReader(model, 'base'), model);
    lora = fixtureLora(model); // non-zero B, so gradients reach A as well as B
    for (const ad of lora.values()) ad.dropout = 0.1;
  });
  afterAll(() => {
    disposeHfCausalLm(lm);
    disposeLora(lora);
  });

  const loss = (ids: tf.Tensor2D, seed: number) => (): Scalar => {
    const { logits } = causalLmLogits(lm, ids, { lora, training: true, dropoutSeed: seed });
    return tf.mean(tf.square(logits)) as Scalar;
  };

  it('gradients flow to every LoRA A and B and never to the base weights', async () => {
    const ids = tf.tensor2d([seq], undefined, 'int32');
    await expectNoTensorLeak(() => {
      const { value, grads } = tf.variableGrads(loss(ids, 3)); // all trainable variables
      const loraNames = new Set([...lora.values()].flatMap((ad) => [ad.A.name, ad.B.name]));
      expect(new Set(Object.keys(grads))).toEqual(loraNames);
      for (const g of Object.values(grads)) expect(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!)).toBeGreaterThan(0);
      for (const v of lm.weights.values()) expect(v.trainable).toBe(false);
      tf.dispose([value, ...Object.values(grads)]);
    });
    ids.dispose();
  });

  it('LoRA dropout applies only when training and follows the seed', () => {
    const ids = tf.tensor2d([seq], undefined, 'int32');
    const run = (training: boolean, seed: number): number[] => {
      const { logits } = causalLmLogits(lm, ids, { lora, training, dropoutSeed: seed });
      const v = Array.from(logits.dataSync());
      logits.dispose();
      return v;
    };
    expect(run(false, 1)).toEqual(run(false, 2));
    expect(run(true, 1)).toEqual(run(true, 1));
    expect(run(true, 1)).not.toEqual(run(true, 2));
    expect(run(true, 1)).not.toEqual(run(false, 1));
    ids.dispose();
  });
});
