import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { LinearModule } from '../models/hf/hfTypes.ts';
import { adapterConfigFor, serializePeftConfig } from './hfPeftConfig.ts';
import { parsePeftConfig, planFromPeftConfig, type PeftLoraConfig } from './hfPeftConfigRead.ts';
import { loraScale, planFromTargets, type TrainPlan } from './hfPeftTargets.ts';
import { gpt2Modules, tinyGpt2Modules, tinyLlamaModules } from './hfPeftTestModules.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/hf-tiny/${name}/adapter/adapter_config.json`, import.meta.url), 'utf8');

/** Writes the plan's config, serialises and parses it again, and checks every module resolves to the same r and scale. */
function roundTrip(plan: TrainPlan, modules: LinearModule[], arch: 'gpt2' | 'llama' = 'gpt2'): PeftLoraConfig {
  const config = adapterConfigFor(plan, modules, { arch, baseModelNameOrPath: 'openai-community/gpt2' });
  const back = planFromPeftConfig(parsePeftConfig(serializePeftConfig(config), 'test'), modules);
  for (const m of modules) {
    const want = plan[m.path];
    const got = back[m.path];
    if (want?.kind === 'lora') {
      expect(got?.kind, m.path).toBe('lora');
      if (got?.kind !== 'lora') continue;
      expect(got.r, m.path).toBe(want.r);
      expect(loraScale(got.r, got.alpha, got.rslora)).toBeCloseTo(loraScale(want.r, want.alpha, want.rslora), 12);
    } else {
      expect(got?.kind, m.path).toBe('frozen');
    }
  }
  return config;
}

describe('adapter_config.json', () => {
  it('formats exactly like PEFT (sorted keys, 2-space indent, 0.0 dropout, no final newline)', () => {
    for (const name of ['tiny-gpt2', 'tiny-llama']) {
      const text = fixture(name);
      expect(serializePeftConfig(JSON.parse(text) as PeftLoraConfig)).toBe(text);
    }
  });

  it('writes the fixture configs back with the same keys and values (targets sorted)', () => {
    for (const [name, modules, arch] of [['tiny-gpt2', tinyGpt2Modules(), 'gpt2'], ['tiny-llama', tinyLlamaModules(), 'llama']] as const) {
      const theirs = JSON.parse(fixture(name)) as Record<string, unknown>;
      const plan = planFromPeftConfig(parsePeftConfig(fixture(name), name), modules);
      const mine = JSON.parse(serializePeftConfig(adapterConfigFor(plan, modules, { arch, baseModelNameOrPath: null }))) as Record<string, unknown>;
      expect(Object.keys(mine)).toEqual(Object.keys(theirs));
      expect(mine.target_modules).toEqual([...(theirs.target_modules as string[])].sort());
      expect(mine.init_lora_weights).toBe(true); // the fixtures were made with init_lora_weights=False
      for (const key of Object.keys(theirs)) {
        if (key !== 'target_modules' && key !== 'init_lora_weights') expect(mine[key], key).toEqual(theirs[key]);
      }
    }
  });

  it('uses plain target names when they pick exactly the adapted modules', () => {
    const modules = tinyLlamaModules();
    const config = roundTrip(planFromTargets(modules, { targets: ['q_proj', 'v_proj'], r: 8, alpha: 16, dropout: 0.05 }), modules, 'llama');
    expect(config.target_modules).toEqual(['q_proj', 'v_proj']);
    expect(config.layers_to_transform).toBeNull();
    expect(config.fan_in_fan_out).toBe(false);
    expect(serializePeftConfig(config)).toContain('"lora_dropout": 0.05,');
  });

  it('uses layers_to_transform when the same blocks are adapted for every name', () => {
    const modules = gpt2Modules(4, 16, 50);
    const plan = planFromTargets(modules, { targets: '.*h\\.(1|3)\\.attn\\.c_attn', r: 4, alpha: 8 });
    const config = roundTrip(plan, modules);
    expect(config.target_modules).toEqual(['c_attn']);
    expect(config.layers_to_transform).toEqual([1, 3]);
    expect(config.layers_pattern).toBe('h');
    expect(config.fan_in_fan_out).toBe(true);
  });

  it('falls back to a full-match regex when names and blocks cannot say it', () => {
    const modules = gpt2Modules(4, 16, 50);
    // attn.c_proj but not mlp.c_proj; and c_attn in other blocks than c_proj.
    const plan: TrainPlan = {
      ...planFromTargets(modules, { targets: '.*h\\.[01]\\.attn\\.c_proj|.*h\\.[23]\\.attn\\.c_attn', r: 4, alpha: 8 }),
    };
    const config = roundTrip(plan, modules);
    expect(config.target_modules).toBe('transformer\\.h\\.(?:0|1)\\.attn\\.c_proj|transformer\\.h\\.(?:2|3)\\.attn\\.c_attn');
    expect(config.layers_to_transform).toBeNull();
    // lm_head and a single block both work.
    const head: TrainPlan = { lm_head: { kind: 'lora', r: 4, alpha: 8 }, 'transformer.h.2.mlp.c_fc': { kind: 'lora', r: 4, alpha: 8 } };
    const headConfig = roundTrip(head, modules);
    expect(headConfig.target_modules).toEqual(['c_fc', 'lm_head']);
    expect(headConfig.layers_to_transform).toEqual([2]);
    const headAndTwo: TrainPlan = { ...head, 'transformer.h.1.attn.c_attn': { kind: 'lora', r: 4, alpha: 8 } };
    expect(roundTrip(headAndTwo, modules).target_modules).toBe('lm_head|transformer\\.h\\.1\\.attn\\.c_attn|transformer\\.h\\.2\\.mlp\\.c_fc');
    const oneProj: TrainPlan = { 'transformer.h.2.mlp.c_proj': { kind: 'lora', r: 4, alpha: 8 } };
    const c = roundTrip(oneProj, modules);
    expect(c.target_modules).toBe('transformer\\.h\\.2\\.mlp\\.c_proj'); // c_proj in block 2 would take attn.c_proj too
    expect(c.layers_to_transform).toBeNull();
    expect(roundTrip({ 'transformer.h.2.mlp.c_proj': { kind: 'lora', r: 4, alpha: 8 }, 'transformer.h.2.attn.c_proj': { kind: 'lora', r: 4, alpha: 8 } }, modules).layers_to_transform).toEqual([2]);
  });

  it('writes mixed ranks, alphas and rsLoRA as rank_pattern / alpha_pattern', () => {
    const modules = tinyLlamaModules();
    const plan = planFromTargets(modules, { targets: 'all-linear', r: 8, alpha: 16, rankPattern: { 'layers.1.mlp.down_proj': 2, o_proj: 4 }, alphaPattern: { q_proj: 32 } });
    plan['model.layers.0.self_attn.k_proj'] = { kind: 'lora', r: 8, alpha: 4, rslora: true };
    const config = roundTrip(plan, modules, 'llama');
    expect(config.r).toBe(8);
    expect(config.lora_alpha).toBe(16);
    expect(config.use_rslora).toBe(false);
    expect(config.rank_pattern).toEqual({
      'model.layers.0.self_attn.o_proj': 4,
      'model.layers.1.self_attn.o_proj': 4,
      'model.layers.1.mlp.down_proj': 2,
    });
    expect(config.alpha_pattern).toEqual({
      'model.layers.0.self_attn.q_proj': 32,
      'model.layers.1.self_attn.q_proj': 32,
      'model.layers.0.self_attn.k_proj': 4 * Math.sqrt(8),
    });
    expect(config.target_modules).toEqual(['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj']);
  });

  it('refuses fully trained modules and empty plans', () => {
    const modules = tinyGpt2Modules();
    const plan: TrainPlan = { 'transformer.h.0.attn.c_attn': { kind: 'lora', r: 4, alpha: 8 }, 'transformer.h.0.mlp.c_fc': { kind: 'full' } };
    expect(() => adapterConfigFor(plan, modules, { arch: 'gpt2' })).toThrow(/trained in full.*merged model/);
    expect(() => adapterConfigFor({}, modules, { arch: 'gpt2' })).toThrow(/no LoRA modules/);
    expect(() => adapterConfigFor({ 'x.y': { kind: 'lora', r: 1, alpha: 1 } }, modules, { arch: 'gpt2' })).toThrow(/does not have/);
  });

  it('refuses configs PEFT would apply differently from plain LoRA', () => {
    const base = JSON.parse(fixture('tiny-llama')) as Record<string, unknown>;
    const bad = (patch: Record<string, unknown>): (() => unknown) => () => parsePeftConfig(JSON.stringify({ ...base, ...patch }), 'my-adapter');
    expect(bad({ peft_type: 'IA3' })).toThrow(/my-adapter\/adapter_config.json: peft_type is "IA3"/);
    expect(bad({ use_dora: true })).toThrow(/DoRA/);
    expect(bad({ bias: 'all' })).toThrow(/bias "none"/);
    expect(bad({ lora_bias: true })).toThrow(/lora_bias/);
    expect(bad({ modules_to_save: ['lm_head'] })).toThrow(/modules_to_save/);
    expect(bad({ target_modules: null })).toThrow(/target_modules/);
    expect(bad({ r: 0 })).toThrow(/rank/);
    expect(bad({ rank_pattern: { q_proj: 'x' } })).toThrow(/rank_pattern/);
    expect(() => parsePeftConfig('{', 'a')).toThrow(/not valid JSON/);
  });
});
