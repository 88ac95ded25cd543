/**
 * The registry against the transformers + PEFT fixtures of each family (fixtures/hf-families): the
 * layout it derives from config.json has exactly the checkpoint's tensors and the adapter's modules,
 * LoRA parameter counts equal PEFT's, and an imported adapter is written back byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../export/safetensors.ts';
import { readPeftAdapter, loraFromTensors, writePeftAdapter } from '../../lora/hfPeftFiles.ts';
import { countLmTrainable, defaultTargetModules } from '../../lora/hfPeftTargets.ts';
import { parseHfConfig } from './hfConfig.ts';
import { HF_FAMILIES } from './hfFamilies.ts';
import { expectedHfTensors, hfLinearModules } from './hfLayout.ts';
import { disposeLora, fixtureBytes, PARITY_MODELS, type FixtureModel } from './hfTestFixtures.ts';

const text = (model: FixtureModel, file: string): string => new TextDecoder().decode(fixtureBytes(model, file));
const configOf = (model: FixtureModel) => parseHfConfig(JSON.parse(text(model, 'base/config.json')), `${model}/config.json`);
const FAMILIES = PARITY_MODELS.filter((m) => m !== 'tiny-gpt2' && m !== 'tiny-llama');

describe('model family registry', () => {
  it('has one entry per model_type, each with a label and PEFT default targets', () => {
    const types = HF_FAMILIES.map((f) => f.modelType);
    expect(new Set(types).size).toBe(types.length);
    for (const f of HF_FAMILIES) {
      expect(f.label.length).toBeGreaterThan(0);
      expect(f.peftTargets.length).toBeGreaterThan(0);
    }
    // TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING (peft/utils/constants.py)
    expect(defaultTargetModules('gpt2')).toEqual(['c_attn']);
    expect(defaultTargetModules('qwen3')).toEqual(['q_proj', 'v_proj']);
    expect(defaultTargetModules('phi3')).toEqual(['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj']);
  });

  describe.each(FAMILIES)('%s', (model) => {
    const config = configOf(model);
    const modules = hfLinearModules(config);

    it('expects exactly the tensors transformers saved, with their shapes', () => {
      const file = readSafetensors(fixtureBytes(model, 'base/model.safetensors'));
      const expected = expectedHfTensors(config);
      const saved = new Map([...file.tensors].map(([name, t]) => [name, t.shape]));
      expect(new Map([...expected].sort())).toEqual(new Map([...saved].sort()));
    });

    it("counts the adapter's trainable parameters as PEFT does, and writes the imported adapter back byte for byte", async () => {
      const bytes = fixtureBytes(model, 'adapter/adapter_model.safetensors');
      const { plan, tensors } = readPeftAdapter(text(model, 'adapter/adapter_config.json'), bytes, modules, model);
      const file = readSafetensors(bytes);
      // PEFT's get_nb_trainable_parameters: every lora_A and lora_B element.
      let peftCount = 0;
      for (const t of file.tensors.values()) peftCount += t.shape.reduce((a, b) => a * b, 1);
      expect(countLmTrainable(modules, plan)).toBe(peftCount);
      expect(tensors.size * 2).toBe(file.tensors.size);

      const lora = loraFromTensors(tensors, plan);
      const out = await writePeftAdapter(lora, plan, modules, { arch: config.architecture, baseModelNameOrPath: null });
      disposeLora(lora);
      expect(out.safetensors).toEqual(bytes);
      expect(readPeftAdapter(out.config, out.safetensors, modules, 'again').plan).toEqual(plan);
    });
  });

  it('phi3 has fused qkv_proj and gate_up_proj, each one module with one lora_A [r, in] and lora_B [out, r]', () => {
    const config = configOf('phi3');
    const names = hfLinearModules(config).filter((m) => m.layer === 0).map((m) => [m.name, m.inFeatures, m.outFeatures]);
    // q 4 heads x 8 + k, v 2 heads x 8 each = 64; gate and up 64 each = 128
    expect(names).toEqual([['qkv_proj', 32, 64], ['o_proj', 32, 32], ['gate_up_proj', 32, 128], ['down_proj', 64, 32]]);
    const file = readSafetensors(fixtureBytes('phi3', 'adapter/adapter_model.safetensors'));
    expect(file.tensors.get('base_model.model.model.layers.0.self_attn.qkv_proj.lora_A.weight')?.shape).toEqual([4, 32]);
    expect(file.tensors.get('base_model.model.model.layers.0.self_attn.qkv_proj.lora_B.weight')?.shape).toEqual([64, 4]);
  });

  it('reads per-family layer settings: qwen3 q/k norms, smollm3 NoPE layers, phi3 partial rotary, llama3 and sliding windows', () => {
    expect(configOf('qwen3').block.qkNorm).toBe(true);
    expect(configOf('smollm3').layers.map((l) => l.rope !== null)).toEqual([true, true, true, false]);
    expect(configOf('phi3').layers[0]!.rope!.dim).toBe(4); // head_dim 8 x 0.5
    expect(configOf('llama3-rope').layers[0]!.rope!.type).toBe('llama3');
    expect(configOf('mistral-sliding').layers.map((l) => l.slidingWindow)).toEqual([3, 3]);
  });
});
