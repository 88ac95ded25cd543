import { describe, expect, it } from 'vitest';
import { EngineError } from '../../errors.ts';
import { writeSafetensors } from '../../export/safetensors.ts';
import { parseHfConfig } from './hfConfig.ts';
import { checkFits, estimateHfMemory, estimateLmTrainMemory } from './hfMemory.ts';
import { fixtureBytes } from './hfTestFixtures.ts';
import { readSafetensorsHeader, safetensorsHeaderSize } from '../../export/safetensorsHeader.ts';

const llamaConfig = () => parseHfConfig(JSON.parse(new TextDecoder().decode(fixtureBytes('tiny-llama', 'base/config.json'))));

describe('safetensors headers', () => {
  it('parse from the first bytes only', () => {
    const file = fixtureBytes('tiny-llama', 'base/model.safetensors');
    const size = safetensorsHeaderSize(file.subarray(0, 8));
    const header = readSafetensorsHeader(file.subarray(0, size), 'model.safetensors');
    expect(header.dataStart).toBe(size);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors.get('lm_head.weight')).toMatchObject({ dtype: 'F32', shape: [300, 32] });
    expect(() => readSafetensorsHeader(file.subarray(0, size - 1), 'x.safetensors')).toThrow(/^x\.safetensors: header length \d+ at byte 0 runs past the end/);
  });
});

describe('estimateHfMemory and checkFits', () => {
  const file = fixtureBytes('tiny-llama', 'base/model.safetensors');
  const header = readSafetensorsHeader(file);

  it('sums float32 bytes of the tensors, whatever their stored dtype', () => {
    const all = estimateHfMemory([header]);
    const params = 2 * 300 * 32 + 32 + 2 * (2 * 32 + 3 * 64 * 32 + 2 * 32 * 32 + 2 * 16 * 32);
    // The vocabulary tables are reported apart: they split by rows, every other tensor must fit a buffer.
    expect(all).toEqual({
      totalBytes: params * 4,
      largestTensorBytes: 64 * 32 * 4,
      largestTensorName: 'model.layers.0.mlp.down_proj.weight', // the first of the [64, 32] projections in the header
      largestTableBytes: 300 * 32 * 4,
      largestTableName: 'lm_head.weight',
      tableRowBytes: 32 * 4,
      tensorCount: 21,
    });
    expect(estimateHfMemory([header], llamaConfig())).toMatchObject({ largestTableName: 'lm_head.weight', largestTensorBytes: 64 * 32 * 4, tensorCount: 21 });
    const half = readSafetensorsHeader(writeSafetensors({ 'model.norm.weight': { dtype: 'BF16', shape: [32], data: new Uint16Array(32) }, junk: { dtype: 'F16', shape: [4], data: new Uint16Array(4) } }));
    expect(estimateHfMemory([half], llamaConfig())).toMatchObject({ totalBytes: 128, tensorCount: 1 }); // junk is not a model tensor
  });

  it('passes a vocabulary table bigger than a buffer (it splits by rows), not another tensor', () => {
    // Gemma 3 270M: a 262,144 x 640 embedding (671 MB as float32) against WebGPU's default 128 MiB binding.
    const gemma = { totalBytes: 1.07e9, largestTensorBytes: 640 * 2048 * 4, largestTensorName: 'model.layers.0.mlp.up_proj.weight', largestTableBytes: 262144 * 640 * 4, largestTableName: 'model.embed_tokens.weight', tableRowBytes: 640 * 4, tensorCount: 236 };
    const defaults = { maxBufferSize: 268435456, maxStorageBufferBindingSize: 134217728 };
    expect(() => checkFits(gemma, defaults)).not.toThrow();
    expect(() => checkFits({ ...gemma, largestTensorBytes: 200e6 }, defaults)).toThrow(/^The tensor "model\.layers\.0\.mlp\.up_proj\.weight" needs 200\.0 MB as float32, but this GPU allows at most 134\.2 MB per buffer/);
    expect(() => checkFits({ ...gemma, largestTensorBytes: 1000 }, { maxStorageBufferBindingSize: 2048 })).toThrow(
      /^The tensor "one row of model\.embed_tokens\.weight" needs 2\.6 kB as float32, but this GPU allows at most 2\.0 kB per buffer/,
    );
  });

  it('throws model-too-large with sizes in MB or GB', () => {
    const estimate = { totalBytes: 3e9, largestTensorBytes: 600e6, largestTensorName: 'model.layers.0.mlp.up_proj.weight', largestTableBytes: 0, largestTableName: '', tableRowBytes: 0, tensorCount: 3 };
    expect(() => checkFits(estimate, { maxBufferSize: 1e9, maxStorageBufferBindingSize: 1e9, deviceMemory: 8 })).not.toThrow();
    const tooBig = (limits: Parameters<typeof checkFits>[1], pattern: RegExp): void => {
      try {
        checkFits(estimate, limits);
        throw new Error('expected model-too-large');
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        expect((e as EngineError).code).toBe('model-too-large');
        expect((e as EngineError).message).toMatch(pattern);
      }
    };
    tooBig({ maxBufferSize: 1e9, maxStorageBufferBindingSize: 134217728 }, /"model\.layers\.0\.mlp\.up_proj\.weight" needs 600\.0 MB .* at most 134\.2 MB per buffer/);
    tooBig({ deviceMemory: 4 }, /need 3\.00 GB as float32, more than the 2\.15 GB/);
  });
});

describe('the WASM estimate', () => {
  // SmolLM2-135M's shapes, tied embeddings.
  const smol = parseHfConfig(
    { model_type: 'llama', num_hidden_layers: 30, hidden_size: 576, num_attention_heads: 9, num_key_value_heads: 3, intermediate_size: 1536, vocab_size: 49152, max_position_embeddings: 2048, tie_word_embeddings: true },
    'config.json',
  );
  it('adds the heap\'s slack on WASM only, and no packed copies of the weights (the GEMM keeps none)', () => {
    const shape = { batch: 4, seqLen: 128, totalParams: 134_515_008, trainableParams: 460_800, checkpointing: true };
    const plain = estimateLmTrainMemory(smol, shape);
    const wasm = estimateLmTrainMemory(smol, { ...shape, backend: 'wasm' });
    // The heap's slack: a quarter of the activations' and loss's peak; nothing else.
    expect(wasm.totalBytes - plain.totalBytes).toBe(0.25 * (plain.activationBytes + plain.lossBytes));
    expect(wasm.activationBytes).toBe(plain.activationBytes + 0.25 * (plain.activationBytes + plain.lossBytes));
    expect(wasm.weightBytes).toBe(4 * 134_515_008);
    expect(estimateLmTrainMemory(smol, { ...shape, backend: 'webgpu' })).toMatchObject({ activationBytes: plain.activationBytes, totalBytes: plain.totalBytes });
  });
});
