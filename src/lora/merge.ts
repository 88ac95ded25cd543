/**
 * Merging LoRA into the base kernels, for export only (never inside a training step):
 *   Dense  kernel [in, out]:          W' = W + scale * A.B                         A [in, r], B [r, out]
 *   Conv2D kernel [kh, kw, in, out]:  W'[y,x,i,o] = W[y,x,i,o] + scale * sum_r A[y,x,i,r] * B[r,o]
 * (conv(x, A) followed by the 1x1 conv B is one conv with kernel A.B, with the same strides, padding
 * and dilation, so the merged layer computes exactly what the adapted one does, up to rounding.)
 */
import { tf, type LayersModel, type Tensor, type Tensor2D } from '../tf.ts';
import type { LoraAdapters } from './loraAdapter.ts';
import { findLayer, validatePlan, type TrainPlan } from './plan.ts';

export interface MergedKernel {
  /** TF layout: Dense [in, out], Conv2D [kh, kw, in, out]. */
  shape: number[];
  values: Float32Array;
}

/** Merged kernel per LoRA layer of the plan (biases are unchanged: LoRA has none). */
export async function mergedWeights(model: LayersModel, plan: TrainPlan, adapters: LoraAdapters): Promise<Map<string, MergedKernel>> {
  validatePlan(model, plan);
  const out = new Map<string, MergedKernel>();
  for (const [name, mode] of Object.entries(plan)) {
    if (mode.kind !== 'lora') continue;
    const ad = adapters.get(name);
    if (!ad) throw new Error(`layer "${name}" is planned as LoRA but has no adapter.`);
    const kernelVar = findLayer(model, name).weights[0];
    if (!kernelVar) throw new Error(`layer "${name}" has no kernel.`);
    const merged = tf.tidy(() => {
      const w = kernelVar.read();
      const a2 = tf.reshape(ad.A, [-1, ad.r]) as Tensor2D; // Dense [in, r]; Conv2D [kh*kw*in, r]
      const delta = tf.mul(tf.matMul(a2, ad.B as Tensor2D), ad.scale); // [in | kh*kw*in, out]
      return tf.add(w, tf.reshape(delta, w.shape));
    });
    // Async read: WebGPU (in a Worker above all) cannot read GPU buffers synchronously.
    out.set(name, { shape: merged.shape.slice(), values: (await merged.data()) as Float32Array });
    merged.dispose();
  }
  return out;
}

/**
 * A standalone copy of the model (same topology and layer names) with the LoRA deltas merged into its
 * kernels and every other weight copied as it is now ('full' layers included). Its plain `predict`
 * equals runModel(model, x, { plan, adapters }) up to float rounding. The caller disposes it.
 */
export async function mergedModel(model: LayersModel, plan: TrainPlan, adapters: LoraAdapters): Promise<LayersModel> {
  const merged = await mergedWeights(model, plan, adapters);
  const copy = await tf.models.modelFromJSON(model.toJSON(null, false) as Parameters<typeof tf.models.modelFromJSON>[0]);
  try {
    for (const layer of model.layers) {
      if (layer.weights.length === 0) continue;
      const target = copy.getLayer(layer.name);
      const m = merged.get(layer.name);
      const values: Tensor[] = layer.weights.map((w, i) => (i === 0 && m ? tf.tensor(m.values, m.shape, 'float32') : w.read().clone()));
      try {
        target.setWeights(values);
      } finally {
        tf.dispose(values);
      }
    }
  } catch (e) {
    copy.dispose();
    throw e;
  }
  return copy;
}
