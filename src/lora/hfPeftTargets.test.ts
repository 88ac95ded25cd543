import { describe, expect, it } from 'vitest';

import {
  countLmTrainable,
  defaultTargetModules,
  loraScale,
  matchesTarget,
  peftTargetsModule,
  planFromTargets,
  resolvePattern,
  type TrainPlan,
} from './hfPeftTargets.ts';
import { gpt2Modules, tinyGpt2Modules, tinyLlamaModules } from './hfPeftTestModules.ts';

describe('PEFT target rules', () => {
  it('has PEFT defaults per architecture', () => {
    expect(defaultTargetModules('gpt2')).toEqual(['c_attn']);
    for (const arch of ['llama', 'mistral', 'qwen2'] as const) expect(defaultTargetModules(arch)).toEqual(['q_proj', 'v_proj']);
  });

  it('matches list targets by exact name or dotted suffix, strings by full regex match', () => {
    expect(matchesTarget('transformer.h.0.attn.c_proj', ['c_proj'])).toBe(true);
    expect(matchesTarget('transformer.h.0.mlp.c_proj', ['attn.c_proj'])).toBe(false);
    expect(matchesTarget('transformer.h.0.attn.c_proj', ['attn.c_proj'])).toBe(true);
    expect(matchesTarget('model.layers.0.self_attn.q_proj', ['proj'])).toBe(false); // no dot boundary
    expect(matchesTarget('lm_head', ['lm_head'])).toBe(true);
    expect(matchesTarget('model.layers.0.self_attn.q_proj', '.*q_proj')).toBe(true);
    expect(matchesTarget('model.layers.0.self_attn.q_proj', 'q_proj')).toBe(false); // fullmatch, not search
    expect(matchesTarget('model.layers.1.self_attn.q_proj', 'model\\.layers\\.(0|1)\\.self_attn\\.q_proj')).toBe(true);
    expect(matchesTarget('model.layers.10.self_attn.q_proj', 'model\\.layers\\.(0|1)\\.self_attn\\.q_proj')).toBe(false);
  });

  it('resolves rank/alpha patterns like get_pattern_key: first key matching the end at a dot boundary', () => {
    const p = { 'attn.c_proj': 16, 'h\\.1\\..*c_attn': 2, c_attn: 4 };
    expect(resolvePattern(p, 'transformer.h.0.attn.c_proj')).toBe(16);
    expect(resolvePattern(p, 'transformer.h.0.mlp.c_proj')).toBeUndefined();
    expect(resolvePattern(p, 'transformer.h.1.attn.c_attn')).toBe(2);
    expect(resolvePattern(p, 'transformer.h.0.attn.c_attn')).toBe(4);
    expect(resolvePattern({ 'transformer.h.0.attn.c_attn': 8 }, 'transformer.h.0.attn.c_attn')).toBe(8); // full path from the start
    expect(resolvePattern({ attn: 8 }, 'transformer.h.0.attn.c_attn')).toBeUndefined();
    expect(resolvePattern({ _attn: 8 }, 'transformer.h.0.attn.c_attn')).toBeUndefined(); // dot boundary
    expect(resolvePattern(undefined, 'x')).toBeUndefined();
    expect(() => resolvePattern({ '(?P<x>a)': 1 }, 'a')).toThrow(/regular expression/);
  });

  it('applies layers_to_transform, layers_pattern and exclude_modules as PEFT does', () => {
    const f = { target_modules: ['c_attn', 'lm_head'], layers_to_transform: [1], layers_pattern: null };
    expect(peftTargetsModule(f, 'transformer.h.0.attn.c_attn')).toBe(false);
    expect(peftTargetsModule(f, 'transformer.h.1.attn.c_attn')).toBe(true);
    expect(peftTargetsModule(f, 'lm_head')).toBe(true); // an exact name skips the layer filter
    expect(peftTargetsModule({ ...f, layers_to_transform: 1, layers_pattern: 'h' }, 'transformer.h.1.attn.c_attn')).toBe(true);
    expect(peftTargetsModule({ ...f, layers_pattern: ['layers'] }, 'transformer.h.1.attn.c_attn')).toBe(false);
    expect(peftTargetsModule({ target_modules: ['c_proj'], exclude_modules: ['mlp.c_proj'] }, 'transformer.h.0.mlp.c_proj')).toBe(false);
    expect(peftTargetsModule({ target_modules: ['c_proj'], exclude_modules: '.*h\\.0\\..*' }, 'transformer.h.0.attn.c_proj')).toBe(false);
    expect(peftTargetsModule({ target_modules: ['c_proj'], exclude_modules: [] }, 'transformer.h.0.attn.c_proj')).toBe(true);
  });

  it('builds a plan from targets with per-module patterns and all-linear', () => {
    const modules = tinyGpt2Modules();
    const plan = planFromTargets(modules, { targets: ['c_attn', 'c_proj'], r: 4, alpha: 8, dropout: 0.1, rankPattern: { 'mlp.c_proj': 2 } });
    expect(plan['transformer.h.0.attn.c_attn']).toEqual({ kind: 'lora', r: 4, alpha: 8, dropout: 0.1 });
    expect(plan['transformer.h.1.mlp.c_proj']).toEqual({ kind: 'lora', r: 2, alpha: 8, dropout: 0.1 });
    expect(plan['transformer.h.0.mlp.c_fc']).toEqual({ kind: 'frozen' });
    expect(plan.lm_head).toEqual({ kind: 'frozen' });
    const all = planFromTargets(tinyLlamaModules(), { targets: 'all-linear', r: 8, alpha: 16, rslora: true });
    expect(Object.entries(all).filter(([, m]) => m.kind === 'lora')).toHaveLength(14);
    expect(all.lm_head).toEqual({ kind: 'frozen' });
  });

  it('counts trainable parameters: GPT-2 124M with r=8 on c_attn has 294,912', () => {
    const modules = gpt2Modules(12, 768, 50257);
    const plan = planFromTargets(modules, { targets: defaultTargetModules('gpt2'), r: 8, alpha: 16 });
    expect(countLmTrainable(modules, plan)).toBe(294_912);
    const withFull: TrainPlan = { ...plan, 'transformer.h.0.mlp.c_fc': { kind: 'full' }, lm_head: { kind: 'full' } };
    expect(countLmTrainable(modules, withFull)).toBe(294_912 + 768 * 3072 + 3072 + 768 * 50257);
  });

  it('computes the LoRA scale', () => {
    expect(loraScale(4, 8)).toBe(2);
    expect(loraScale(4, 8, true)).toBe(4);
  });
});
