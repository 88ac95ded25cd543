import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { tf } from '../../tf.ts';
import { causalLmLogits } from './causalLmLogits.ts';
import { disposeLora, fixtureLora, fixtureReader, fixtureReference, maxDiffToReference, paddedBatch, PARITY_MODELS, type FixtureModel } from './hfTestFixtures.ts';
import type { HfCausalLm, LmLora } from './hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TOL = 1e-4;

describe.each<FixtureModel>(PARITY_MODELS)('%s against transformers', (model) => {
  const ref = fixtureReference(model);
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

  /** Each reference sequence on its own (B = 1), max diff over all of them. */
  function diffPerSequence(target: HfCausalLm, expected: number[][][], adapter?: LmLora): number {
    let max = 0;
    ref.ids.forEach((seq, i) => {
      const ids = tf.tensor2d([seq], undefined, 'int32');
      const { logits } = causalLmLogits(target, ids, { lora: adapter });
      max = Math.max(max, maxDiffToReference(logits, [expected[i]!]));
      tf.dispose([ids, logits]);
    });
    return max;
  }

  it('base logits match reference.json', () => {
    const d = diffPerSequence(lm, ref.base);
    console.log(`${model} base max |diff| ${d.toExponential(2)}`);
    expect(d).toBeLessThan(TOL);
  });

  it('logits with the PEFT adapter match the adapted reference', () => {
    const d = diffPerSequence(lm, ref.adapted, lora);
    console.log(`${model} adapted max |diff| ${d.toExponential(2)}`);
    expect(d).toBeLessThan(TOL);
    expect(diffPerSequence(lm, ref.base, lora)).toBeGreaterThan(1e-2); // the adapter changes the output
  });

  it('the merged/ checkpoint gives the adapted logits', async () => {
    const merged = await loadHfCausalLm(fixtureReader(model, 'merged'), `${model}/merged`);
    const d = diffPerSequence(merged, ref.adapted);
    console.log(`${model} merged max |diff| ${d.toExponential(2)}`);
    expect(d).toBeLessThan(TOL);
    disposeHfCausalLm(merged);
  });

  it('a right-padded batch gives the unpadded logits at real positions', () => {
    const { ids, mask } = paddedBatch(ref.ids);
    const lengths = ref.ids.map((s) => s.length);
    expect(new Set(lengths).size).toBeGreaterThan(1); // there is padding to mask
    const { logits } = causalLmLogits(lm, ids, { attentionMask: mask, lora });
    expect(maxDiffToReference(logits, ref.adapted, lengths)).toBeLessThan(TOL);
    tf.dispose([ids, mask, logits]);
  });

  it('does not leak tensors across a forward call', async () => {
    const ids = tf.tensor2d([ref.ids[0]!], undefined, 'int32');
    await expectNoTensorLeak(() => causalLmLogits(lm, ids, { lora, training: true, dropoutSeed: 1 }).logits.dispose());
    ids.dispose();
  });
});
