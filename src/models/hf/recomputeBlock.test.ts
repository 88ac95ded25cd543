import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../data/rng.ts';
import { chunkedCausalLmLoss } from '../../lm/chunkedCrossEntropy.ts';
import { fullCopies, withWeights, disposeFull } from '../../lm/lmWeights.ts';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { tf, type Scalar, type Variable } from '../../tf.ts';
import { causalLmLoss, IGNORE_INDEX } from '../../train/causalLmLoss.ts';
import { causalLmHidden, causalLmLogits, lmHeadOf } from './causalLmLogits.ts';
import { disposeLora, fixtureLora, fixtureReader, PARITY_MODELS } from './hfTestFixtures.ts';
import type { HfCausalLm, LmLora } from './hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Every family: gpt2, the llama-like decoder with its variants (fused projections, sliding windows,
// NoPE layers, gemma's sandwich norms and gemma2's attention and final soft-capping).
describe.each(PARITY_MODELS)('%s with gradient checkpointing and the chunked loss', (model) => {
  let base: HfCausalLm;
  let lm: HfCausalLm;
  let lora: LmLora;
  let full: Map<string, Variable>;
  beforeAll(async () => {
    base = await loadHfCausalLm(fixtureReader(model, 'base'), model);
    lora = fixtureLora(model); // non-zero B, so gradients reach A as well as B
    for (const ad of lora.values()) ad.dropout = 0.1;
    // One projection of block 1 trained in full instead of LoRA: its copy must get its gradient too.
    const fullPath = base.modules.find((m) => m.layer === 1 && /(c_fc|down_proj)$/.test(m.path))!.path;
    const dropped = lora.get(fullPath);
    if (dropped) tf.dispose([dropped.A, dropped.B]);
    lora.delete(fullPath);
    full = fullCopies(base, { [fullPath]: { kind: 'full' } });
    lm = withWeights(base, full);
  });
  afterAll(() => {
    disposeHfCausalLm(base);
    disposeLora(lora);
    disposeFull(full);
  });

  /**
   * Loss and gradients of every trainable variable for two right-padded rows, with or without
   * recomputation; `chunked` false: the plain loss on causalLmLogits' full logits instead.
   */
  function step(recompute: boolean, chunked = true): { loss: number; grads: Map<string, Float32Array> } {
    const rng = createRng(3);
    const [b, t] = [2, 9];
    const vocab = lm.config.vocabSize;
    const ids = tf.tensor2d(Int32Array.from({ length: b * t }, () => Math.floor(rng() * vocab)), [b, t], 'int32');
    const mask = tf.tensor2d(Float32Array.from({ length: b * t }, (_, i) => (i >= t + 6 ? 0 : 1)), [b, t]); // row 2 padded after 6
    const labels = Int32Array.from({ length: b * t }, (_, i) => (i % t === t - 1 || i >= t + 5 || i % t === 0 ? IGNORE_INDEX : Math.floor(rng() * vocab)));
    const vars = [...[...lora.values()].flatMap((l) => [l.A, l.B]), ...full.values()];
    const { value, grads } = tf.variableGrads(() => {
      if (!chunked) return causalLmLoss(causalLmLogits(lm, ids, { attentionMask: mask, lora, training: true, dropoutSeed: 17 }).logits, labels).loss as Scalar;
      const { hidden } = causalLmHidden(lm, ids, { attentionMask: mask, lora, training: true, dropoutSeed: 17, recompute });
      return chunkedCausalLmLoss(hidden, lmHeadOf(lm), labels).loss as Scalar;
    }, vars);
    const out = { loss: value.dataSync()[0]!, grads: new Map(Object.entries(grads).map(([k, g]) => [k, Float32Array.from(g.dataSync())])) };
    tf.dispose([value, ids, mask, ...Object.values(grads)]);
    return out;
  }

  function expectSame(a: ReturnType<typeof step>, b: ReturnType<typeof step>, tolerance: number): void {
    expect(a.loss).toBeCloseTo(b.loss, 5);
    expect([...a.grads.keys()].sort()).toEqual([...b.grads.keys()].sort());
    expect(b.grads.size).toBe(2 * lora.size + full.size);
    for (const [name, g] of b.grads) {
      const r = a.grads.get(name)!;
      const scale = Math.max(...g.map(Math.abs));
      expect(scale, name).toBeGreaterThan(0);
      const diff = Math.max(...g.map((x, i) => Math.abs(x - r[i]!)));
      expect(diff / scale, name).toBeLessThan(tolerance);
    }
  }

  it('gives the same loss and gradients as the plain pass, for every adapter and the fully trained copy', async () => {
    const plain = step(false);
    const recomputed = await expectNoTensorLeak(() => step(true));
    expectSame(recomputed, plain, 1e-5);
  });

  it('the chunked loss from the hidden states equals the plain loss on the logits (lm_head, soft-capping)', () => {
    // Same sums in another order: float32 rounding only.
    expectSame(step(true), step(false, false), 1e-4);
  });

  it('refuses unseeded dropout, whose recomputed mask would differ', () => {
    const ids = tf.tensor2d([[1, 2, 3]], undefined, 'int32');
    expect(() => tf.variableGrads(() => tf.sum(causalLmHidden(lm, ids, { lora, training: true, recompute: true }).hidden) as Scalar, [[...lora.values()][0]!.A])).toThrow(/needs a dropout seed/);
    ids.dispose();
  });
});

describe('gradient checkpointing memory', () => {
  it('holds far less at the peak of a step than the plain pass (tf.profile peakBytes)', async () => {
    // Batch 4 x 60 on the tiny fixture: activations dominate its weights, as in a real run.
    const lm = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama');
    const lora = fixtureLora('tiny-llama');
    const rng = createRng(8);
    const ids = tf.tensor2d(Int32Array.from({ length: 4 * 60 }, () => Math.floor(rng() * 300)), [4, 60], 'int32');
    const labels = Int32Array.from({ length: 4 * 60 }, () => Math.floor(rng() * 300));
    const vars = [...lora.values()].flatMap((l) => [l.A, l.B]);
    const peak = async (recompute: boolean): Promise<number> =>
      (
        await tf.profile(() => {
          const { value, grads } = tf.variableGrads(() => chunkedCausalLmLoss(causalLmHidden(lm, ids, { lora, training: true, dropoutSeed: 1, recompute }).hidden, lmHeadOf(lm), labels).loss, vars);
          tf.dispose([value, ...Object.values(grads)]);
        })
      ).peakBytes;
    const before = tf.memory().numBytes;
    const plain = (await peak(false)) - before;
    const recomputed = (await peak(true)) - before;
    // 2 blocks only in the fixture, so the saving is about one block's activations and their gradients.
    expect(recomputed).toBeLessThan(plain * 0.75);
    tf.dispose(ids);
    disposeLora(lora);
    disposeHfCausalLm(lm);
  });
});
