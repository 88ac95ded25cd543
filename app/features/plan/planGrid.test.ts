import { describe, expect, it } from 'vitest';
import type { LmModuleSummary } from '../../../src/index.ts';
import { buildPlanGrid, cellKey, countModes, loraModuleMode, presetPlan, withLoraRank } from './planGrid.ts';

const mod = (layer: number | null, name: string): LmModuleSummary => ({
  path: layer === null ? name : `model.layers.${layer}.self_attn.${name}`,
  name,
  layer,
  inFeatures: 8,
  outFeatures: 8,
  params: 64,
});

const llama = {
  numLayers: 2,
  projectionNames: ['q_proj', 'k_proj', 'v_proj'],
  defaultTargets: ['q_proj', 'v_proj'],
  modules: [mod(0, 'q_proj'), mod(0, 'k_proj'), mod(0, 'v_proj'), mod(1, 'q_proj'), mod(1, 'v_proj'), mod(null, 'lm_head')],
};

describe('buildPlanGrid', () => {
  it('makes one row per block and one column per projection, with gaps as null', () => {
    const grid = buildPlanGrid(llama);
    expect(grid.columns).toEqual(['q_proj', 'k_proj', 'v_proj']);
    expect(grid.rows.map((r) => r.layer)).toEqual([0, 1]);
    expect(grid.rows[0]!.cells.map((c) => c?.path)).toEqual([
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.k_proj',
      'model.layers.0.self_attn.v_proj',
    ]);
    expect(grid.rows[1]!.cells[1]).toBeNull();
    expect(grid.others.map((m) => m.name)).toEqual(['lm_head']);
  });

  it('shows a fused projection (phi3 qkv_proj) as one column that names its parts', () => {
    const fusedMod = (layer: number, name: string, fuses?: string[]): LmModuleSummary => ({ ...mod(layer, name), ...(fuses ? { fuses } : {}) });
    const phi3 = {
      numLayers: 1,
      projectionNames: ['qkv_proj', 'o_proj'],
      modules: [fusedMod(0, 'qkv_proj', ['q_proj', 'k_proj', 'v_proj']), fusedMod(0, 'o_proj')],
    };
    const grid = buildPlanGrid(phi3);
    expect(grid.columns).toEqual(['qkv_proj', 'o_proj']);
    expect(grid.fused).toEqual({ qkv_proj: ['q_proj', 'k_proj', 'v_proj'] });
  });

  it('adds a column for a projection the names list lacks', () => {
    const grid = buildPlanGrid({ ...llama, projectionNames: ['q_proj'] });
    expect(grid.columns).toEqual(['q_proj', 'k_proj', 'v_proj']);
  });
});

describe('presetPlan', () => {
  const opts = { r: 8, dropout: 0, rslora: false };
  it('PEFT defaults: LoRA r=8 alpha=16 on the default targets only', () => {
    const plan = presetPlan(llama, 'default', opts);
    expect(Object.keys(plan).sort()).toEqual([
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.v_proj',
      'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.v_proj',
    ]);
    expect(plan['model.layers.0.self_attn.q_proj']).toEqual({ kind: 'lora', r: 8, alpha: 16 });
  });

  it('all linear: every projection in the blocks, none outside; dropout and rsLoRA carried', () => {
    const plan = presetPlan(llama, 'all', { r: 4, dropout: 0.1, rslora: true });
    expect(Object.keys(plan)).toHaveLength(5);
    expect(plan.lm_head).toBeUndefined();
    expect(plan['model.layers.1.self_attn.v_proj']).toEqual({ kind: 'lora', r: 4, alpha: 8, dropout: 0.1, rslora: true });
  });

  it('clear: the empty plan', () => {
    expect(presetPlan(llama, 'none', opts)).toEqual({});
  });
});

describe('plan helpers', () => {
  it('alpha follows the rank only while it is 2r', () => {
    expect(withLoraRank(loraModuleMode({ r: 8, dropout: 0, rslora: false }), 4)).toEqual({ kind: 'lora', r: 4, alpha: 8 });
    expect(withLoraRank({ kind: 'lora', r: 8, alpha: 5 }, 4)).toEqual({ kind: 'lora', r: 4, alpha: 5 });
  });

  it('names cells by layer and projection', () => {
    expect(cellKey({ layer: 3, name: 'c_attn' })).toBe('3-c_attn');
    expect(cellKey({ layer: null, name: 'lm_head' })).toBe('x-lm_head');
  });

  it('counts modes', () => {
    expect(countModes({ a: { kind: 'lora', r: 1, alpha: 2 }, b: { kind: 'full' }, c: { kind: 'frozen' } })).toEqual({ lora: 1, full: 1 });
  });
});
