import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../errors.ts';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { tf } from '../../tf.ts';
import { fixtureBytes, fixtureReader, memoryReader } from './hfTestFixtures.ts';
import { disposeHfCausalLm, loadHfCausalLm, type HfLoadProgress } from './loadHfCausalLm.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loadHfCausalLm', () => {
  it('loads weights as non-trainable variables with the modules LoRA can target', async () => {
    await expectNoTensorLeak(async () => {
      const progress: HfLoadProgress[] = [];
      const lm = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama', (p) => progress.push(p));
      expect(lm.weights.size).toBe(21);
      expect(lm.weights.get('model.layers.1.self_attn.k_proj.weight')!.shape).toEqual([16, 32]);
      expect(lm.modules.map((m) => m.path).slice(0, 7)).toEqual(
        ['q_proj', 'k_proj', 'v_proj', 'o_proj'].map((n) => `model.layers.0.self_attn.${n}`).concat(['gate_proj', 'up_proj', 'down_proj'].map((n) => `model.layers.0.mlp.${n}`)),
      );
      expect(lm.modules[1]).toEqual({ path: 'model.layers.0.self_attn.k_proj', name: 'k_proj', layer: 0, inFeatures: 32, outFeatures: 16, fanInFanOut: false, hasBias: false });
      expect(progress.at(-1)?.fraction).toBe(1);
      disposeHfCausalLm(lm);
    });
  });

  it('lists gpt2 Conv1D modules with fan_in_fan_out', async () => {
    const lm = await loadHfCausalLm(fixtureReader('tiny-gpt2', 'base'), 'tiny-gpt2');
    expect(lm.modules.map((m) => m.path).slice(0, 4)).toEqual(['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'].map((n) => `transformer.h.0.${n}`));
    expect(lm.modules[0]).toMatchObject({ inFeatures: 32, outFeatures: 96, fanInFanOut: true, hasBias: true });
    expect(lm.weights.has('lm_head.weight')).toBe(false);
    disposeHfCausalLm(lm);
  });

  it('frees what it loaded when the weights are bad, and names the folder', async () => {
    const config = fixtureBytes('tiny-llama', 'base/config.json');
    const e = await expectNoTensorLeak(() => loadHfCausalLm(memoryReader({ 'config.json': config, 'model.safetensors': fixtureBytes('tiny-gpt2', 'base/model.safetensors') }), 'mixed').catch((x: unknown) => x));
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).message).toMatch(/^mixed: the weights lack/);
    await expect(loadHfCausalLm(memoryReader({}), 'empty')).rejects.toThrow(/^empty\/config\.json is missing/);
    await expect(loadHfCausalLm(memoryReader({ 'config.json': '{"model_type":"t5"}' }), 'x')).rejects.toThrow(/^x\/config\.json: model_type "t5"/);
  });
});
