/** The language model as the studio shows it, and checks of an adapter plan against it. */
import type { LmModelSummary, TrainPlan } from '../api.ts';
import { EngineError } from '../errors.ts';
import { defaultTargetModules } from '../lora/hfPeftTargets.ts';
import { hfFamily } from '../models/hf/hfFamilies.ts';
import { isHalf, logicalSize } from '../kernels/halfMatMul.ts';
import { allWeights } from '../models/hf/hfLinear.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import type { LmTokenizer } from '../tokenizers/lmTokenizer.ts';
import type { AdamWParam } from '../train/adamw.ts';

export function summarizeLm(lm: HfCausalLm, label: string, tokenizer: LmTokenizer): LmModelSummary {
  const c = lm.config;
  let totalParams = 0;
  let weightBytes = 0;
  let float16Weights = 0;
  for (const [, parts] of allWeights(lm)) {
    for (const w of parts) {
      totalParams += logicalSize(w);
      weightBytes += w.size * 4; // a float16-held weight: int32 words of two halves
    }
    if (isHalf(parts[0]!)) float16Weights++;
  }
  const projectionNames: string[] = [];
  for (const m of lm.modules) if (!projectionNames.includes(m.name)) projectionNames.push(m.name);
  return {
    name: label.replace(/\/$/, '').split('/').pop() ?? label,
    architecture: c.architecture,
    family: hfFamily(c.architecture).label,
    vocabSize: c.vocabSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    numHeads: c.numHeads,
    numKvHeads: c.numKvHeads,
    contextLength: c.maxPositions,
    totalParams,
    weightBytes,
    float16Weights,
    modules: lm.modules.map((m) => ({
      path: m.path,
      name: m.name,
      layer: m.layer,
      inFeatures: m.inFeatures,
      outFeatures: m.outFeatures,
      params: m.inFeatures * m.outFeatures + (m.hasBias ? m.outFeatures : 0),
      ...(m.fuses ? { fuses: m.fuses } : {}),
    })),
    projectionNames,
    defaultTargets: defaultTargetModules(c.architecture),
    hasChatTemplate: tokenizer.chatTemplateSource !== 'default',
  };
}

/** Every planned path must be a projection of the model, with a sane rank and alpha. */
export function validateLmPlan(lm: HfCausalLm, plan: TrainPlan): void {
  const paths = new Set(lm.modules.map((m) => m.path));
  for (const [path, mode] of Object.entries(plan)) {
    if (!paths.has(path)) {
      throw new EngineError('lora-plan-invalid', `"${path}" is not a linear projection of this ${lm.config.architecture} model (e.g. ${lm.modules[0]?.path ?? 'none'}).`);
    }
    if (mode.kind === 'lora') {
      if (!Number.isInteger(mode.r) || mode.r < 1 || mode.r > 1024) throw new EngineError('lora-plan-invalid', `${path}: the rank must be a whole number from 1 to 1024, not ${mode.r}.`);
      if (!(mode.alpha > 0)) throw new EngineError('lora-plan-invalid', `${path}: alpha must be positive, not ${mode.alpha}.`);
      if (mode.dropout !== undefined && !(mode.dropout >= 0 && mode.dropout < 1)) throw new EngineError('lora-plan-invalid', `${path}: dropout must be in [0, 1), not ${mode.dropout}.`);
    }
  }
}

/** LoRA A and B of every adapter, with weight decay (transformers decays every non-bias, non-norm weight). */
export function planParams(lora: LmLora): AdamWParam[] {
  return [...lora.values()].flatMap((ad) => [
    { variable: ad.A, decay: true },
    { variable: ad.B, decay: true },
  ]);
}
