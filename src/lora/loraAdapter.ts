/**
 * LoRA adapters: the trainable low-rank pair (A, B) for each LoRA layer of a plan.
 * Internal layouts are TF.js-friendly (the input dimension first, like the kernels):
 *   Dense:  A [in, r],          B [r, out]      delta = (x . A) . B
 *   Conv2D: A [kh, kw, in, r],  B [r, out]      delta = conv2d(x, A) . B   (B is PEFT's 1x1 conv)
 * peftAdapter.ts converts to PEFT's PyTorch layouts at export.
 * Initialisation as PEFT: A kaiming-uniform(a = sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
 * fan_in = in (Dense) or in*kh*kw (Conv2D), from a seeded RNG; B zeros, so the adapted model starts
 * exactly where the base model is.
 */
import type { Rng } from '../data/rng.ts';
import { EngineError } from '../errors.ts';
import { tf, type LayersModel, type Variable } from '../tf.ts';
import { findLayer, loraLayerDims, loraScale, validatePlan, type TrainPlan, type LoraKind, type LoraMode } from './plan.ts';

export interface LoraAdapter {
  layerName: string;
  kind: LoraKind;
  r: number;
  alpha: number;
  rslora: boolean;
  /** Dropout rate on the LoRA path's input (training only). */
  dropout: number;
  /** alpha / r, or alpha / sqrt(r) with rsLoRA. */
  scale: number;
  /** Dense [in, r]; Conv2D [kh, kw, in, r]. */
  A: Variable;
  /** [r, out] for both kinds. */
  B: Variable;
}

/** Layer name -> adapter, in the model's layer order. */
export type LoraAdapters = Map<string, LoraAdapter>;

let adapterCount = 0;

/** Shape of A in TF layout for a layer: Dense [in, r], Conv2D [kh, kw, in, r]. */
export function loraAShape(layer: tf.layers.Layer, r: number): number[] {
  const d = loraLayerDims(layer);
  return d.kind === 'dense' ? [d.inDim, r] : [d.kernelSize[0], d.kernelSize[1], d.inDim, r];
}

/**
 * One adapter from given values (TF layouts above). Used by createLoraAdapters and by the PEFT import.
 * The values are copied into new variables; `disposeLoraAdapters` frees them.
 */
export function loraAdapterFromValues(layer: tf.layers.Layer, mode: LoraMode, a: Float32Array, b: Float32Array): LoraAdapter {
  const d = loraLayerDims(layer);
  const aShape = loraAShape(layer, mode.r);
  const bShape = [mode.r, d.outDim];
  const need = (shape: number[]): number => shape.reduce((x, y) => x * y, 1);
  if (a.length !== need(aShape) || b.length !== need(bShape)) {
    throw new EngineError('lora-adapter-invalid', `layer "${layer.name}": LoRA A needs ${need(aShape)} values [${aShape.join(', ')}] and B ${need(bShape)} [${bShape.join(', ')}]; got ${a.length} and ${b.length}.`);
  }
  const id = adapterCount++;
  const prefix = `lora_${id}/${layer.name}`;
  // tidy frees the initial tensors; the variables (which copy them) survive it.
  const [A, B] = tf.tidy(() => [
    tf.variable(tf.tensor(a, aShape, 'float32'), true, `${prefix}/A`),
    tf.variable(tf.tensor(b, bShape, 'float32'), true, `${prefix}/B`),
  ]) as [Variable, Variable];
  return {
    layerName: layer.name,
    kind: d.kind,
    r: mode.r,
    alpha: mode.alpha,
    rslora: mode.rslora ?? false,
    dropout: mode.dropout ?? 0,
    scale: loraScale(mode),
    A,
    B,
  };
}

/**
 * Fresh adapters for the plan's LoRA layers (validates the plan first). The RNG is consumed in the
 * model's layer order, so the same seed and plan give the same A on every machine.
 */
export function createLoraAdapters(model: LayersModel, plan: TrainPlan, rng: Rng): LoraAdapters {
  validatePlan(model, plan);
  const adapters: LoraAdapters = new Map();
  try {
    for (const layer of model.layers) {
      const mode = plan[layer.name];
      if (mode?.kind !== 'lora') continue;
      const d = loraLayerDims(layer);
      const bound = 1 / Math.sqrt(d.fanIn);
      const a = new Float32Array(loraAShape(layer, mode.r).reduce((x, y) => x * y, 1));
      for (let i = 0; i < a.length; i++) a[i] = (rng() * 2 - 1) * bound;
      const b = new Float32Array(mode.r * d.outDim);
      adapters.set(layer.name, loraAdapterFromValues(findLayer(model, layer.name), mode, a, b));
    }
  } catch (e) {
    disposeLoraAdapters(adapters);
    throw e;
  }
  return adapters;
}

export function disposeLoraAdapters(adapters: LoraAdapters): void {
  for (const ad of adapters.values()) {
    ad.A.dispose();
    ad.B.dispose();
  }
  adapters.clear();
}
