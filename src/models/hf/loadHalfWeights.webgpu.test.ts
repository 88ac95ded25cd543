/**
 * Loading F16/BF16 checkpoints with float16 storage on real WebGPU (Dawn; SwiftShader here): the
 * tiny transformers fixtures rewritten as BF16 / F16 in memory, loaded once with float32 storage and
 * once with float16 (auto). Same logits and LoRA gradients (full and chunked loss), half the bytes,
 * and byte-identical exports; a BF16 value beyond float16's range keeps its tensor float32.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../backend/startBackend.ts';
import { readSafetensors, toFloat32, writeSafetensors, type TensorToWrite } from '../../export/safetensors.ts';
import { isHalf } from '../../kernels/halfMatMul.ts';
import { chunkedCausalLmLoss } from '../../lm/chunkedCrossEntropy.ts';
import { disposeFull, fullCopies } from '../../lm/lmWeights.ts';
import { requireDawnGpu } from '../../testing/requireDawnGpu.ts';
import { causalLmLoss } from '../../train/causalLmLoss.ts';
import { tf, type Scalar, type Tensor } from '../../tf.ts';
import { causalLmHidden, causalLmLogits, lmHeadOf } from './causalLmLogits.ts';
import { float32ToBfloat16Bits, float32ToFloat16Bits } from './halfFloat.ts';
import { allWeights } from './hfLinear.ts';
import { disposeLora, fixtureBytes, fixtureLora, fixtureReader, fixtureReference, memoryReader, paddedBatch, type FixtureModel } from './hfTestFixtures.ts';
import type { HfCausalLm, LmLora } from './hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';
import { mergeLora } from './mergeLora.ts';
import { saveHfSafetensors } from './saveHfSafetensors.ts';

/** The fixture's base folder with its weights rewritten as `dtype` (and `edit` applied to the float32 values first). */
async function asHalfCheckpoint(model: FixtureModel, dtype: 'BF16' | 'F16', edit?: (name: string, v: Float32Array) => void) {
  const file = readSafetensors(fixtureBytes(model, 'base/model.safetensors'));
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, t] of file.tensors) {
    const v = toFloat32(t);
    edit?.(name, v);
    const bits = dtype === 'BF16' ? float32ToBfloat16Bits(v) : float32ToFloat16Bits(v);
    tensors[name] = { dtype, shape: t.shape, data: new Uint8Array(bits.buffer) };
  }
  const base = fixtureReader(model, 'base');
  const weights = writeSafetensors(tensors, { format: 'pt' });
  return memoryReader({ 'config.json': (await base('config.json'))!, 'model.safetensors': weights });
}

function gpuBytes(lm: HfCausalLm): number {
  return [...allWeights(lm)].flatMap(([, parts]) => parts).reduce((n, v) => n + v.size * 4, 0);
}

async function maxRelDiff(got: Tensor, want: Tensor): Promise<number> {
  const [g, w] = [await got.data(), await want.data()];
  let num = 0;
  let den = 0;
  for (let i = 0; i < w.length; i++) {
    num = Math.max(num, Math.abs(g[i]! - w[i]!));
    den = Math.max(den, Math.abs(w[i]!));
  }
  return num / den;
}

/** Logits, and the LoRA gradients of the full and the chunked loss. */
function run(lm: HfCausalLm, lora: LmLora, ids: tf.Tensor2D, labels: Int32Array): Tensor[] {
  const vars = [...lora.values()].flatMap((ad) => [ad.A, ad.B]);
  return tf.tidy(() => {
    const logits = causalLmLogits(lm, ids, { lora }).logits;
    const full = tf.variableGrads(() => causalLmLoss(causalLmLogits(lm, ids, { lora, training: true }).logits, labels).loss as Scalar, vars);
    const chunked = tf.variableGrads(() => chunkedCausalLmLoss(causalLmHidden(lm, ids, { lora, training: true }).hidden, lmHeadOf(lm), labels, 3).loss as Scalar, vars);
    return [logits, full.value, chunked.value, ...vars.map((v) => full.grads[v.name]!), ...vars.map((v) => chunked.grads[v.name]!)];
  });
}

describe('float16 storage of F16/BF16 checkpoints on WebGPU (Dawn)', () => {
  beforeAll(() => requireDawnGpu());
  beforeAll(async () => {
    expect((await startBackend('webgpu')).name).toBe('webgpu');
  });
  afterAll(() => tf.disposeVariables());

  for (const [model, dtype] of [
    ['tiny-llama', 'BF16'],
    ['tiny-gpt2', 'F16'],
  ] as const) {
    it(`${model} as ${dtype}: the same logits, gradients and export bytes as float32 storage, from about half the bytes`, async () => {
      // BF16 values below float16's normal range lose low bits in float16: plant some (in a projection
      // and in the chunked table) so that keeping them exact for export is tested.
      const read = await asHalfCheckpoint(model, dtype, (name, v) => {
        if (dtype === 'BF16' && /q_proj|embed_tokens/.test(name)) [3e-7, -1.234e-6, 5.5e-9].forEach((x, i) => (v[100 * i + 7] = x));
      });
      // A buffer limit small enough that the vocabulary table is held in row chunks.
      const limits = { maxStorageBufferBindingSize: model === 'tiny-llama' ? 8192 : 1 << 20 };
      const f32 = await loadHfCausalLm(read, model, undefined, limits, { weightStorage: 'float32' });
      const f16 = await loadHfCausalLm(read, model, undefined, limits);
      expect(f32.half).toBeUndefined();
      expect(f16.half?.keptFloat32.size).toBe(0);
      // F16 is exact in float16; the planted BF16 values are not (2 q_proj + 1 table, 3 each).
      expect(f16.half?.rounded).toBe(dtype === 'F16' ? 0 : 9);
      // Every projection is packed, and the tables too (in chunks for tiny-llama).
      for (const m of f16.modules) expect(isHalf(f16.weights.get(`${m.path}.weight`)!), m.path).toBe(true);
      if (model === 'tiny-llama') expect(f16.rowChunks?.get('model.embed_tokens.weight')?.every(isHalf)).toBe(true);
      const ratio = gpuBytes(f16) / gpuBytes(f32);
      console.log(`${model} ${dtype}: float16 storage holds ${gpuBytes(f16)} of ${gpuBytes(f32)} weight bytes (${ratio.toFixed(3)}); ${f16.half?.rounded} value(s) rounded, kept exact for export`);
      expect(ratio).toBeLessThan(0.56);

      const lora = fixtureLora(model);
      const { ids } = paddedBatch([fixtureReference(model).ids[0]!]);
      const labels = Int32Array.from(fixtureReference(model).ids[0]!.slice(1).concat([-100]));
      const got = run(f16, lora, ids, labels);
      const want = run(f32, lora, ids, labels);
      const names = ['logits', 'loss', 'chunked loss', ...[...lora.keys()].flatMap((p) => [`dA ${p}`, `dB ${p}`, `chunked dA ${p}`, `chunked dB ${p}`])];
      for (let i = 0; i < want.length; i++) expect(await maxRelDiff(got[i]!, want[i]!), names[i]).toBeLessThan(1e-4);

      // Exports read back exactly what was loaded: byte-identical files and merged weights.
      expect(Buffer.from(await saveHfSafetensors(f16)).equals(Buffer.from(await saveHfSafetensors(f32)))).toBe(true);
      const [m16, m32] = [await mergeLora(f16, lora), await mergeLora(f32, lora)];
      for (const [name, v] of m32) expect(Buffer.from(m16.get(name)!.buffer).equals(Buffer.from(v.buffer)), name).toBe(true);

      tf.dispose([...got, ...want, ids]);
      disposeLora(lora);
      disposeHfCausalLm(f16);
      disposeHfCausalLm(f32);
    });
  }

  it('keeps float32 for a BF16 tensor with a value beyond float16 range, and says how many', async () => {
    const target = 'model.layers.1.mlp.down_proj.weight';
    const read = await asHalfCheckpoint('tiny-llama', 'BF16', (name, v) => {
      if (name === target) v[5] = 1e5; // bf16 holds ~99840; float16 tops out at 65504
    });
    const lm = await loadHfCausalLm(read, 'tiny-llama');
    expect(lm.half?.keptFloat32.get(target)).toBe(1);
    expect(lm.weights.get(target)!.dtype).toBe('float32');
    expect(isHalf(lm.weights.get('model.layers.0.mlp.down_proj.weight')!)).toBe(true);
    disposeHfCausalLm(lm);
  });

  it('a projection the plan trains in full gets a float32 copy of its float16-held weight', async () => {
    const read = await asHalfCheckpoint('tiny-llama', 'BF16');
    const lm = await loadHfCausalLm(read, 'tiny-llama');
    const f32 = await loadHfCausalLm(read, 'tiny-llama', undefined, {}, { weightStorage: 'float32' });
    const name = 'model.layers.0.mlp.down_proj.weight';
    const full = fullCopies(lm, { 'model.layers.0.mlp.down_proj': { kind: 'full' } });
    const copy = full.get(name)!;
    expect(copy.dtype).toBe('float32');
    expect(copy.trainable).toBe(true);
    expect(Array.from(await copy.data())).toEqual(Array.from(await f32.weights.get(name)!.data()));
    disposeFull(full);
    disposeHfCausalLm(lm);
    disposeHfCausalLm(f32);
  });

  it('float32 checkpoints stay float32 under auto; float16 forces them (rounded)', async () => {
    const auto = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama');
    expect(auto.half).toBeUndefined();
    const forced = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama', undefined, {}, { weightStorage: 'float16' });
    expect(isHalf(forced.weights.get('lm_head.weight')!)).toBe(true);
    expect(forced.half!.rounded).toBeGreaterThan(0);
    disposeHfCausalLm(auto);
    disposeHfCausalLm(forced);
  });
});
