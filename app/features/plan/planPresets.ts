import type { LayerSummary, ModuleMode, TrainPlan } from '../../../src/index.ts';

export const DEFAULT_LORA_RANK = 4;

export type LoraModuleMode = Extract<ModuleMode, { kind: 'lora' }>;

/** LoRA at rank r with the usual alpha = 2r. */
export function loraMode(r: number = DEFAULT_LORA_RANK): ModuleMode {
  return { kind: 'lora', r, alpha: 2 * r };
}

/** A new rank; alpha follows while it still has its default (2r), and stays where the user set it otherwise. */
export function withRank(mode: Extract<ModuleMode, { kind: 'lora' }>, r: number): ModuleMode {
  return { ...mode, r, alpha: mode.alpha === 2 * mode.r ? 2 * r : mode.alpha };
}

export function withAlpha(mode: Extract<ModuleMode, { kind: 'lora' }>, alpha: number): ModuleMode {
  return { ...mode, alpha };
}

/** The most LoRA dropout the plan table offers (the engine takes anything below 1). */
export const MAX_LORA_DROPOUT = 0.9;

/** Dropout on the LoRA branch's input while training; 0 (the default) leaves the key out of the plan. */
export function withDropout(mode: LoraModuleMode, dropout: number): LoraModuleMode {
  const { dropout: _old, ...rest } = mode;
  return dropout > 0 ? { ...rest, dropout } : rest;
}

/** rsLoRA scale (alpha / sqrt(r)) on or off; off (the default) leaves the key out of the plan. */
export function withRslora(mode: LoraModuleMode, rslora: boolean): LoraModuleMode {
  const { rslora: _old, ...rest } = mode;
  return rslora ? { ...rest, rslora: true } : rest;
}

const hasWeights = (layer: LayerSummary): boolean => layer.params > 0;

/** Every base layer frozen; only the new head trains. */
export function headOnlyPlan(): TrainPlan {
  return {};
}

/** LoRA at rank r on every layer that supports it (Dense, Conv2D). */
export function loraAllPlan(layers: readonly LayerSummary[], r: number = DEFAULT_LORA_RANK): TrainPlan {
  return Object.fromEntries(layers.filter((l) => l.loraSupported && hasWeights(l)).map((l) => [l.name, loraMode(r)]));
}

/** The first `n` layers with weights stay frozen; every later layer with weights is trained. */
export function freezeFirstPlan(layers: readonly LayerSummary[], n: number): TrainPlan {
  return Object.fromEntries(
    layers
      .filter(hasWeights)
      .slice(Math.max(0, n))
      .map((l) => [l.name, { kind: 'full' } as ModuleMode]),
  );
}

/** Every layer with weights is trained. */
export function fullPlan(layers: readonly LayerSummary[]): TrainPlan {
  return freezeFirstPlan(layers, 0);
}

/** How many layers have weights (the most "Freeze first N" can freeze). */
export function weightedLayerCount(layers: readonly LayerSummary[]): number {
  return layers.filter(hasWeights).length;
}
