import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../errors.ts';
import { summarizeLm } from '../../lm/lmPlanSummary.ts';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { tf } from '../../tf.ts';
import { fixtureTokenizer } from '../../tokenizers/testFixtures.ts';
import { chunkedCausalLmLoss } from '../../lm/chunkedCrossEntropy.ts';
import { IGNORE_INDEX } from '../../train/causalLmLoss.ts';
import { causalLmHidden, causalLmLogits, lmHeadOf } from './causalLmLogits.ts';
import { disposeLora, fixtureLora, fixtureReader, fixtureReference, maxDiffToReference } from './hfTestFixtures.ts';
import type { HfCausalLm } from './hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';
import { mergeLora } from './mergeLora.ts';
import { chunkCount, gatherRows, matMulRows, rowsPerChunk, splitRows } from './rowChunks.ts';
import { saveHfSafetensors } from './saveHfSafetensors.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('row chunks of a table', () => {
  it('sizes chunks to the buffer limit, whole rows only', () => {
    // Qwen2.5/3 0.5-0.6B: 151,936 x 896 float32 = 545 MB against the 128 MiB default binding.
    expect(rowsPerChunk(896, 134217728)).toBe(37449);
    expect(chunkCount(151936, 896, 134217728)).toBe(5);
    expect(chunkCount(262144, 640, 134217728)).toBe(6); // Gemma 3: 671 MB
    expect(chunkCount(151936, 896, 4 * 2 ** 30)).toBe(1); // an adapter that binds 4 GiB holds it whole
    const values = Float32Array.from({ length: 7 * 3 }, (_, i) => i);
    const chunks = splitRows(values, 7, 3, 3 * 4 * 3); // 3 rows per chunk
    expect(chunks.map((c) => c.shape)).toEqual([[3, 3], [3, 3], [1, 3]]);
    expect(Array.from(chunks[2]!.values)).toEqual([18, 19, 20]);
    expect(splitRows(values, 7, 3, Infinity)).toHaveLength(1);
  });

  it('gathers and projects through chunks as through the whole table, gradients included', async () => {
    const table = tf.randomNormal([10, 4], 0, 1, 'float32', 3) as tf.Tensor2D; // [V, C]
    const chunks = [table.slice([0, 0], [4, 4]), table.slice([4, 0], [4, 4]), table.slice([8, 0], [2, 4])];
    const ids = tf.tensor1d([9, 0, 4, 3, 8, 7, 9], 'int32');
    expect(await gatherRows(chunks, ids).array()).toEqual(await tf.gather(table, ids).array());
    const h = tf.randomNormal([3, 4], 0, 1, 'float32', 5);
    const whole = tf.matMul(h, table, false, true); // [3, V]
    expect(tf.max(tf.abs(tf.sub(matMulRows(h, chunks), whole))).dataSync()[0]).toBeLessThan(1e-6);
    const loss = (t: tf.Tensor[]) => (x: tf.Tensor) => tf.sum(tf.mul(matMulRows(tf.add(x, gatherRows(t, ids.slice(0, 3))), t), tf.range(0, 10)));
    const gradChunked = tf.grad(loss(chunks))(h);
    const gradWhole = tf.grad(loss([table]))(h);
    expect(tf.max(tf.abs(tf.sub(gradChunked, gradWhole))).dataSync()[0]).toBeLessThan(1e-5);
    tf.disposeVariables();
  });
});

describe.each(['tiny-llama', 'tiny-gpt2'] as const)('%s loaded with its vocabulary table in row chunks', (model) => {
  // With the largest other tensor's size as the buffer limit (llama's MLP 8 KB, gpt2's c_fc 16 KB),
  // the [300, 32] table (38.4 KB) splits into chunks of 64 or 128 rows; the rest stays whole.
  const limits = { maxStorageBufferBindingSize: model === 'tiny-gpt2' ? 16384 : 8192, maxBufferSize: 16384 };
  const chunkShapes = model === 'tiny-gpt2' ? [[128, 32], [128, 32], [44, 32]] : [[64, 32], [64, 32], [64, 32], [64, 32], [44, 32]];
  const ref = fixtureReference(model);
  let whole: HfCausalLm;
  let split: HfCausalLm;

  beforeAll(async () => {
    whole = await loadHfCausalLm(fixtureReader(model, 'base'), model);
    split = await loadHfCausalLm(fixtureReader(model, 'base'), model, undefined, limits);
  });
  afterAll(() => {
    disposeHfCausalLm(whole);
    disposeHfCausalLm(split);
  });

  it('holds only the vocabulary tables in chunks', () => {
    const tables = model === 'tiny-gpt2' ? ['transformer.wte.weight'] : ['model.embed_tokens.weight', 'lm_head.weight'];
    expect([...(split.rowChunks?.keys() ?? [])].sort()).toEqual(tables.sort());
    for (const name of tables) {
      expect(split.rowChunks!.get(name)!.map((c) => c.shape)).toEqual(chunkShapes);
      expect(split.weights.has(name)).toBe(false);
    }
    expect(whole.rowChunks).toBeUndefined();
    const tok = fixtureTokenizer(model);
    expect(summarizeLm(split, model, tok).totalParams).toBe(summarizeLm(whole, model, tok).totalParams);
  });

  it('base and adapted logits match transformers + PEFT as the whole table does', () => {
    const lora = fixtureLora(model);
    ref.ids.forEach((seq, i) => {
      const ids = tf.tensor2d([seq], undefined, 'int32');
      const logits = [causalLmLogits(split, ids).logits, causalLmLogits(split, ids, { lora }).logits, causalLmLogits(whole, ids).logits];
      expect(maxDiffToReference(logits[0]!, [ref.base[i]!])).toBeLessThan(1e-4);
      expect(maxDiffToReference(logits[1]!, [ref.adapted[i]!])).toBeLessThan(1e-4);
      expect(tf.max(tf.abs(tf.sub(logits[0]!, logits[2]!))).dataSync()[0]).toBeLessThan(1e-6);
      tf.dispose([ids, ...logits]);
    });
    disposeLora(lora);
  });

  it('gives the training loss (chunked, from the hidden states) and its gradients as the whole table does', () => {
    const lora = fixtureLora(model);
    const vars = [...lora.values()].flatMap((l) => [l.A, l.B]);
    const seq = ref.ids[0]!;
    const ids = tf.tensor2d([seq], undefined, 'int32');
    const labels = Int32Array.from(seq, (_, i) => (i + 1 < seq.length ? seq[i + 1]! : IGNORE_INDEX));
    const run = (lm: HfCausalLm) => tf.variableGrads(() => chunkedCausalLmLoss(causalLmHidden(lm, ids, { lora }).hidden, lmHeadOf(lm), labels, 3).loss, vars);
    const [a, b] = [run(split), run(whole)];
    expect(a.value.dataSync()[0]).toBeCloseTo(b.value.dataSync()[0]!, 5);
    for (const name of Object.keys(b.grads)) expect(tf.max(tf.abs(tf.sub(a.grads[name]!, b.grads[name]!))).dataSync()[0], name).toBeLessThan(1e-5);
    tf.dispose([ids, a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
    disposeLora(lora);
  });

  it('exports the same merged model file as the whole table', async () => {
    const lora = fixtureLora(model);
    const [a, b] = [await saveHfSafetensors(split, await mergeLora(split, lora)), await saveHfSafetensors(whole, await mergeLora(whole, lora))];
    expect(a).toEqual(b);
    disposeLora(lora);
  });

  it('frees every chunk', async () => {
    await expectNoTensorLeak(async () => disposeHfCausalLm(await loadHfCausalLm(fixtureReader(model, 'base'), model, undefined, limits)));
  });
});

it('refuses, naming the tensor and the numbers, a weight other than a table that exceeds the buffer', async () => {
  const e = await expectNoTensorLeak(() => loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama', undefined, { maxStorageBufferBindingSize: 4096 }).catch((x: unknown) => x));
  expect(e).toBeInstanceOf(EngineError);
  expect((e as EngineError).code).toBe('model-too-large');
  expect((e as EngineError).message).toMatch(/^The tensor "model\.layers\.0\.mlp\.\w+_proj\.weight" needs 8\.2 kB as float32, but this GPU allows at most 4\.1 kB per buffer\./);
});
