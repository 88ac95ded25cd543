import type { LmModelSummary, LmModuleSummary, ModuleMode, TrainPlan } from '../../../src/index.ts';

/** The plan table: one row per block, one column per projection name; cells are the modules (or null where a block lacks one). */
export interface PlanGrid {
  columns: string[];
  /** Column -> the projections it fuses (phi3's qkv_proj: q_proj, k_proj, v_proj), for the header. */
  fused: Record<string, string[]>;
  rows: { layer: number; cells: (LmModuleSummary | null)[] }[];
  /** Projections outside the blocks (layer null), listed under the table. */
  others: LmModuleSummary[];
}

export function buildPlanGrid(summary: Pick<LmModelSummary, 'numLayers' | 'projectionNames' | 'modules'>): PlanGrid {
  const columns = [...summary.projectionNames];
  const byKey = new Map<string, LmModuleSummary>();
  const others: LmModuleSummary[] = [];
  const fused: Record<string, string[]> = {};
  let maxLayer = summary.numLayers - 1;
  for (const m of summary.modules) {
    if (m.layer === null) others.push(m);
    else {
      byKey.set(`${m.layer}/${m.name}`, m);
      if (m.layer > maxLayer) maxLayer = m.layer;
      if (!columns.includes(m.name)) columns.push(m.name);
      if (m.fuses) fused[m.name] = m.fuses;
    }
  }
  const rows = [];
  for (let layer = 0; layer <= maxLayer; layer++) rows.push({ layer, cells: columns.map((name) => byKey.get(`${layer}/${name}`) ?? null) });
  return { columns, fused, rows, others };
}

export interface PresetOptions {
  r: number;
  dropout: number;
  rslora: boolean;
}

export type LoraModuleMode = Extract<ModuleMode, { kind: 'lora' }>;

/** LoRA at rank r with PEFT's usual alpha = 2r; dropout 0 and rsLoRA off leave their keys out. */
export function loraModuleMode({ r, dropout, rslora }: PresetOptions): LoraModuleMode {
  const mode: LoraModuleMode = { kind: 'lora', r, alpha: 2 * r };
  if (dropout > 0) mode.dropout = dropout;
  if (rslora) mode.rslora = true;
  return mode;
}

export type PresetKind = 'default' | 'all' | 'none';

/**
 * PEFT defaults: LoRA on the architecture's default target_modules (by name, as PEFT matches).
 * All linear: LoRA on every projection in the blocks (PEFT's "all-linear" also leaves the output layer out).
 * None: everything frozen.
 */
export function presetPlan(summary: Pick<LmModelSummary, 'modules' | 'defaultTargets'>, kind: PresetKind, options: PresetOptions): TrainPlan {
  if (kind === 'none') return {};
  const targets = new Set(summary.defaultTargets);
  const chosen = summary.modules.filter((m) => (kind === 'all' ? m.layer !== null : targets.has(m.name)));
  return Object.fromEntries(chosen.map((m) => [m.path, loraModuleMode(options)]));
}

/** A new rank; alpha follows while it still has its default (2r). */
export function withLoraRank(mode: LoraModuleMode, r: number): LoraModuleMode {
  return { ...mode, r, alpha: mode.alpha === 2 * mode.r ? 2 * r : mode.alpha };
}

/** The testid suffix of a cell: "<layer>-<projection>", or "x-<name>" outside the blocks. */
export function cellKey(m: Pick<LmModuleSummary, 'layer' | 'name'>): string {
  return `${m.layer ?? 'x'}-${m.name}`;
}

/** How many modules of the plan are LoRA / fully trained. */
export function countModes(plan: TrainPlan): { lora: number; full: number } {
  let lora = 0;
  let full = 0;
  for (const m of Object.values(plan)) {
    if (m.kind === 'lora') lora++;
    else if (m.kind === 'full') full++;
  }
  return { lora, full };
}
