import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors, toFloat32, writeSafetensors, type TensorToWrite } from '../../export/safetensors.ts';
import { tf, type Tensor } from '../../tf.ts';
import { causalLmLogits } from './causalLmLogits.ts';
import { fixtureBytes, fixtureReference, memoryReader } from './hfTestFixtures.ts';
import type { HfCausalLm } from './hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const baseConfig = JSON.parse(new TextDecoder().decode(fixtureBytes('tiny-llama', 'base/config.json'))) as Record<string, unknown>;
const baseFile = readSafetensors(fixtureBytes('tiny-llama', 'base/model.safetensors'));
const seq = fixtureReference('tiny-llama').ids[0]!;

/** The tiny-llama weights re-labelled under another config, with extra or fewer tensors. */
async function variant(config: Record<string, unknown>, edit: (t: Record<string, TensorToWrite>) => void): Promise<HfCausalLm> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, t] of baseFile.tensors) tensors[name] = { dtype: 'F32', shape: t.shape, data: toFloat32(t) };
  edit(tensors);
  return loadHfCausalLm(memoryReader({ 'config.json': JSON.stringify(config), 'model.safetensors': writeSafetensors(tensors) }), String(config.model_type));
}

function logitsOf(lm: HfCausalLm): Tensor {
  const ids = tf.tensor2d([seq], undefined, 'int32');
  const { logits } = causalLmLogits(lm, ids);
  ids.dispose();
  return logits;
}

const diff = (a: Tensor, b: Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

function qkvBiases(value: (n: number) => number): (t: Record<string, TensorToWrite>) => void {
  return (t) => {
    for (let i = 0; i < 2; i++) {
      for (const [p, n] of [['q_proj', 32], ['k_proj', 16], ['v_proj', 16]] as const)
        t[`model.layers.${i}.self_attn.${p}.bias`] = { dtype: 'F32', shape: [n], data: Float32Array.from({ length: n }, (_, j) => value(j)) };
    }
  };
}

describe('llama-family variants', () => {
  it('qwen2 reads q/k/v biases: zero biases reproduce llama, non-zero ones change the logits', async () => {
    const llama = await variant(baseConfig, () => {});
    const zero = await variant({ ...baseConfig, model_type: 'qwen2' }, qkvBiases(() => 0));
    const some = await variant({ ...baseConfig, model_type: 'qwen2' }, qkvBiases((j) => 0.5 * Math.sin(j)));
    const [a, b, c] = [logitsOf(llama), logitsOf(zero), logitsOf(some)];
    expect(diff(a, b)).toBeLessThan(1e-6);
    expect(diff(a, c)).toBeGreaterThan(1e-3);
    expect(zero.modules.find((m) => m.name === 'o_proj')!.hasBias).toBe(false);
    tf.dispose([a, b, c]);
    [llama, zero, some].forEach(disposeHfCausalLm);
  });

  it('mistral runs the llama form; a tied lm_head reuses embed_tokens', async () => {
    const llama = await variant(baseConfig, () => {});
    const mistral = await variant({ ...baseConfig, model_type: 'mistral', sliding_window: 4096 }, () => {});
    const a = logitsOf(llama);
    const b = logitsOf(mistral);
    expect(diff(a, b)).toBe(0);
    const tied = await variant({ ...baseConfig, tie_word_embeddings: true }, (t) => {
      t['lm_head.weight'] = t['model.embed_tokens.weight']!;
    });
    const untiedSame = await variant(baseConfig, (t) => {
      t['lm_head.weight'] = t['model.embed_tokens.weight']!;
    });
    expect(tied.weights.has('lm_head.weight')).toBe(false);
    const [c, d] = [logitsOf(tied), logitsOf(untiedSame)];
    expect(diff(c, d)).toBeLessThan(1e-6);
    tf.dispose([a, b, c, d]);
    [llama, mistral, tied, untiedSame].forEach(disposeHfCausalLm);
  });
});
