/**
 * The layer plan: for each layer of a TF.js LayersModel, whether it stays frozen, is trained in
 * full, or gets a LoRA adapter (Hu et al. 2021, as Hugging Face PEFT implements it):
 *   y = act(base(x) + scale * ((dropout(x) . A) . B)),  scale = alpha / r   (rsLoRA: alpha / sqrt(r))
 * Layers the plan does not name are frozen. LoRA is supported on Dense and Conv2D (channelsLast).
 */
import { EngineError } from '../errors.ts';
import { tf, type LayersModel } from '../tf.ts';

import type { ModuleMode, TrainPlan } from '../api.ts';

export type { ModuleMode, TrainPlan };
export type LoraMode = Extract<ModuleMode, { kind: 'lora' }>;

export type LoraKind = 'dense' | 'conv2d';

/** The shapes a LoRA adapter is built from, read from the layer's kernel (TF.js layout). */
export interface LoraLayerDims {
  kind: LoraKind;
  /** Input features (Dense) or input channels (Conv2D). */
  inDim: number;
  /** Output features (Dense) or filters (Conv2D). */
  outDim: number;
  /** Kernel height and width; [1, 1] for Dense. */
  kernelSize: [number, number];
  /** in (Dense) or in * kh * kw (Conv2D): kaiming fan-in and the row count of the weight as a matrix. */
  fanIn: number;
}

const planError = (message: string): EngineError => new EngineError('lora-plan-invalid', message);

export function loraKindOf(layer: tf.layers.Layer): LoraKind | null {
  const cls = layer.getClassName();
  if (cls === 'Dense') return 'dense';
  if (cls === 'Conv2D') return 'conv2d';
  return null;
}

/** True for the layer types LoRA can wrap: Dense and Conv2D. */
export function loraSupported(layer: tf.layers.Layer): boolean {
  return loraKindOf(layer) !== null;
}

/** Dims of a Dense or Conv2D layer, from its kernel: Dense [in, out], Conv2D [kh, kw, in, out]. */
export function loraLayerDims(layer: tf.layers.Layer): LoraLayerDims {
  const kind = loraKindOf(layer);
  if (!kind) throw planError(`layer "${layer.name}" is a ${layer.getClassName()}; LoRA works on Dense and Conv2D layers only.`);
  const kernel = layer.weights[0];
  if (!kernel) throw planError(`layer "${layer.name}" has no weights yet (the model is not built); build or load the model first.`);
  const shape = kernel.shape as number[];
  if (kind === 'dense') {
    if (shape.length !== 2) throw planError(`layer "${layer.name}": expected a Dense kernel [in, out], got [${shape.join(', ')}].`);
    const [inDim, outDim] = shape as [number, number];
    return { kind, inDim, outDim, kernelSize: [1, 1], fanIn: inDim };
  }
  const config = layer.getConfig();
  if ((config.dataFormat ?? 'channelsLast') !== 'channelsLast') {
    throw planError(`layer "${layer.name}" uses dataFormat "${String(config.dataFormat)}"; LoRA supports channelsLast Conv2D layers only.`);
  }
  if (shape.length !== 4) throw planError(`layer "${layer.name}": expected a Conv2D kernel [kh, kw, in, out], got [${shape.join(', ')}].`);
  const [kh, kw, inDim, outDim] = shape as [number, number, number, number];
  return { kind, inDim, outDim, kernelSize: [kh, kw], fanIn: inDim * kh * kw };
}

/** LoRA's output multiplier: alpha / r, or alpha / sqrt(r) with rsLoRA (Kalajdzievski 2023). */
export function loraScale(mode: Pick<LoraMode, 'r' | 'alpha' | 'rslora'>): number {
  return mode.rslora ? mode.alpha / Math.sqrt(mode.r) : mode.alpha / mode.r;
}

/** The model's layer by name, or an EngineError that lists what the model has. */
export function findLayer(model: LayersModel, name: string, what = 'the plan names'): tf.layers.Layer {
  const layer = model.layers.find((l) => l.name === name);
  if (layer) return layer;
  const names = model.layers.map((l) => l.name);
  const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, ... (${names.length} in all)` : names.join(', ');
  throw planError(`${what} layer "${name}", which the model does not have (its layers: ${shown}).`);
}

/** Checks every entry of `plan` against `model`; throws an EngineError naming the first bad layer. */
export function validatePlan(model: LayersModel, plan: TrainPlan): void {
  if (plan === null || typeof plan !== 'object' || Array.isArray(plan)) throw planError('the layer plan must be an object of layer name -> mode.');
  for (const [name, mode] of Object.entries(plan)) {
    const layer = findLayer(model, name);
    const kind = (mode as { kind?: unknown } | null)?.kind;
    if (kind === 'frozen') continue;
    if (kind === 'full') {
      if (layer.weights.length === 0) throw planError(`layer "${name}" (${layer.getClassName()}) has no weights to train; set it to "frozen" or leave it out of the plan.`);
      continue;
    }
    if (kind !== 'lora') throw planError(`layer "${name}": unknown mode ${JSON.stringify(kind)}; use "frozen", "full" or "lora".`);
    const lora = mode as LoraMode;
    if (!loraSupported(layer)) {
      throw planError(`layer "${name}" is a ${layer.getClassName()}; LoRA works on Dense and Conv2D layers only. Set it to "full" or "frozen".`);
    }
    const dims = loraLayerDims(layer);
    const maxRank = Math.min(dims.fanIn, dims.outDim);
    if (!Number.isInteger(lora.r) || lora.r < 1 || lora.r > maxRank) {
      const span = dims.kind === 'dense' ? `min(in ${dims.inDim}, out ${dims.outDim})` : `min(in*kh*kw ${dims.fanIn}, out ${dims.outDim})`;
      throw planError(`layer "${name}": LoRA rank r = ${String(lora.r)} must be a whole number from 1 to ${maxRank} (${span}).`);
    }
    if (typeof lora.alpha !== 'number' || !Number.isFinite(lora.alpha) || lora.alpha <= 0) {
      throw planError(`layer "${name}": lora alpha = ${String(lora.alpha)} must be a positive number.`);
    }
    const dropout = lora.dropout ?? 0;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
      throw planError(`layer "${name}": lora dropout = ${String(dropout)} must be at least 0 and below 1.`);
    }
    if (lora.rslora !== undefined && typeof lora.rslora !== 'boolean') throw planError(`layer "${name}": rslora must be true or false.`);
  }
}

/** Weights a layer would train in full (its trainable weights, whatever a model-wide freeze set). */
export function trainableWeightsOf(layer: tf.layers.Layer): tf.LayerVariable[] {
  // `_trainableWeights` is what TF.js itself reads in Container's trainable setter: the weights that
  // are trainable by nature (kernel, gamma), as opposed to moving statistics.
  return (layer as unknown as { _trainableWeights: tf.LayerVariable[] })._trainableWeights;
}

const sizeOf = (shape: readonly (number | null)[]): number => shape.reduce<number>((a, d) => a * (d ?? 0), 1);

/**
 * Parameter counts under a plan: trainable = LoRA A+B (Dense r*(in+out), Conv2D r*in*kh*kw + out*r)
 * plus the trainable weights of 'full' layers; total = the model's parameters plus the LoRA ones.
 */
export function countTrainableParams(model: LayersModel, plan: TrainPlan): { trainable: number; total: number } {
  validatePlan(model, plan);
  let trainable = 0;
  let lora = 0;
  for (const [name, mode] of Object.entries(plan)) {
    const layer = findLayer(model, name);
    if (mode.kind === 'full') {
      trainable += trainableWeightsOf(layer).reduce((a, w) => a + sizeOf(w.shape), 0);
    } else if (mode.kind === 'lora') {
      const d = loraLayerDims(layer);
      const n = mode.r * d.fanIn + d.outDim * mode.r;
      trainable += n;
      lora += n;
    }
  }
  return { trainable, total: model.countParams() + lora };
}
