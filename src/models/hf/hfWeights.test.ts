import { describe, expect, it } from 'vitest';
import { EngineError } from '../../errors.ts';
import { readSafetensors, toFloat32, writeSafetensors, type TensorToWrite } from '../../export/safetensors.ts';
import { float16ToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits, bfloat16ToFloat32 } from './halfFloat.ts';
import { parseHfConfig } from './hfConfig.ts';
import { fixtureBytes, memoryReader, type FixtureModel } from './hfTestFixtures.ts';
import { readHfWeightMap } from './hfWeights.ts';

const configOf = (model: FixtureModel) => parseHfConfig(JSON.parse(new TextDecoder().decode(fixtureBytes(model, 'base/config.json'))));

/** The fixture's base tensors as float32 arrays by name. */
function fixtureTensors(model: FixtureModel): Map<string, { shape: number[]; values: Float32Array }> {
  const file = readSafetensors(fixtureBytes(model, 'base/model.safetensors'));
  return new Map([...file.tensors].map(([name, t]) => [name, { shape: t.shape, values: toFloat32(t) }]));
}

function fileOf(tensors: Map<string, { shape: number[]; values: Float32Array }>, pick = (_name: string) => true, rename = (n: string) => n): Uint8Array {
  const out: Record<string, TensorToWrite> = {};
  for (const [name, t] of tensors) if (pick(name)) out[rename(name)] = { dtype: 'F32', shape: t.shape, data: t.values };
  return writeSafetensors(out, { format: 'pt' });
}

async function expectError(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(EngineError);
  expect((e as EngineError).code).toBe(code);
  expect((e as EngineError).message).toMatch(pattern);
}

describe('readHfWeights', () => {
  it('loads a two-shard index like the single file', async () => {
    const tensors = fixtureTensors('tiny-llama');
    const names = [...tensors.keys()];
    const first = new Set(names.slice(0, 7));
    const weightMap = Object.fromEntries(names.map((n) => [n, first.has(n) ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors']));
    const read = memoryReader({
      'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: weightMap }),
      'model-00001-of-00002.safetensors': fileOf(tensors, (n) => first.has(n)),
      'model-00002-of-00002.safetensors': fileOf(tensors, (n) => !first.has(n)),
    });
    const loaded = await readHfWeightMap(read, configOf('tiny-llama'), 'sharded');
    expect(loaded.size).toBe(tensors.size);
    for (const [name, t] of tensors) expect(loaded.get(name)!.values).toEqual(t.values);
  });

  it('converts F16 and BF16 checkpoints exactly', async () => {
    const tensors = fixtureTensors('tiny-gpt2');
    for (const [dtype, encode, decode] of [
      ['F16', float32ToFloat16Bits, float16ToFloat32],
      ['BF16', float32ToBfloat16Bits, bfloat16ToFloat32],
    ] as const) {
      const out: Record<string, TensorToWrite> = {};
      for (const [name, t] of tensors) out[name] = { dtype, shape: t.shape, data: encode(t.values) };
      const loaded = await readHfWeightMap(memoryReader({ 'model.safetensors': writeSafetensors(out) }), configOf('tiny-gpt2'), dtype);
      for (const [name, t] of tensors) {
        const expected = decode(new Uint8Array(encode(t.values).buffer));
        expect(loaded.get(name)!.values).toEqual(expected);
        const err = Math.max(...expected.map((x, i) => Math.abs(x - t.values[i]!)));
        expect(err).toBeLessThan(dtype === 'F16' ? 1e-3 : 1e-2); // rounded, not garbage
      }
    }
  });

  it('adds the transformer. prefix to gpt2 names and skips buffers and a tied lm_head', async () => {
    const tensors = fixtureTensors('tiny-gpt2');
    tensors.set('transformer.h.0.attn.bias', { shape: [1, 1, 2, 2], values: new Float32Array(4) });
    tensors.set('lm_head.weight', tensors.get('transformer.wte.weight')!);
    const bytes = fileOf(tensors, () => true, (n) => n.replace(/^transformer\./, ''));
    const loaded = await readHfWeightMap(memoryReader({ 'model.safetensors': bytes }), configOf('tiny-gpt2'), 'gpt2');
    expect(loaded.size).toBe(tensors.size - 2);
    expect([...loaded.keys()].every((n) => n.startsWith('transformer.'))).toBe(true);
  });

  it('names the file and the fix in its errors', async () => {
    const llama = configOf('tiny-llama');
    const tensors = fixtureTensors('tiny-llama');
    await expectError(readHfWeightMap(memoryReader({}), llama, 'm'), 'hf-weights-missing', /^m has neither model\.safetensors nor model\.safetensors\.index\.json/);
    const index = (map: Record<string, string>) => JSON.stringify({ weight_map: map });
    await expectError(readHfWeightMap(memoryReader({ 'model.safetensors.index.json': index({ 'lm_head.weight': 'a.safetensors' }) }), llama, 'm'),
      'hf-weights-missing', /^m\/a\.safetensors is listed in model\.safetensors\.index\.json but is missing/);
    await expectError(readHfWeightMap(memoryReader({ 'model.safetensors.index.json': index({ 'lm_head.weight': 'a.safetensors' }), 'a.safetensors': fileOf(tensors, (n) => n === 'model.norm.weight') }), llama, 'm'),
      'hf-weights-missing', /^m\/a\.safetensors does not contain tensor "lm_head\.weight"/);
    await expectError(readHfWeightMap(memoryReader({ 'model.safetensors': fileOf(tensors, (n) => n !== 'lm_head.weight') }), llama, 'm'),
      'hf-weights-missing', /lm_head\.weight.*tie_word_embeddings false/);
    await expectError(readHfWeightMap(memoryReader({ 'model.safetensors': fileOf(tensors) }), { ...llama, intermediateSize: 48 }, 'm'),
      'hf-weights-shape', /^m\/model\.safetensors: tensor "model\.layers\.0\.mlp\.down_proj\.weight" has shape \[32, 64\] but config\.json implies \[32, 48\]/);
    const ints: Record<string, TensorToWrite> = { 'model.norm.weight': { dtype: 'I32', shape: [32], data: new Int32Array(32) } };
    await expectError(readHfWeightMap(memoryReader({ 'model.safetensors': writeSafetensors(ints) }), llama, 'm'),
      'hf-weights-dtype', /^m\/model\.safetensors: tensor "model\.norm\.weight" is stored as I32/);
    await expectError(readHfWeightMap(memoryReader({ 'model.safetensors.index.json': '{' }), llama, 'm'), 'hf-weights-invalid', /^m\/model\.safetensors\.index\.json is not valid JSON/);
  });
});
