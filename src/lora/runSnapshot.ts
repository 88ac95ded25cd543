/**
 * A finished run as plain numbers, so it survives a backend switch (tensors live on their backend):
 * the head, each LoRA adapter's A and B, and the weights of fully trained layers.
 */
import type { TrainPlan } from '../api.ts';
import type { BaseModel } from '../models/baseModel.ts';
import { tf } from '../tf.ts';
import { headFromValues, type Head } from '../train/head.ts';
import { loraAdapterFromValues, type LoraAdapters } from './loraAdapter.ts';
import { findLayer, type LoraMode } from './plan.ts';

export interface RunSnapshot {
  plan: TrainPlan;
  head: { kernel: Float32Array; bias: Float32Array };
  adapters: Map<string, { a: Float32Array; b: Float32Array }>;
  trainedLayers: Map<string, { shape: number[]; values: Float32Array }[]>;
}

export async function snapshotRun(run: { head: Head; plan: TrainPlan; adapters: LoraAdapters; base: BaseModel }): Promise<RunSnapshot> {
  const read = async (t: tf.Tensor) => Float32Array.from(await t.data());
  const adapters = new Map<string, { a: Float32Array; b: Float32Array }>();
  for (const [name, ad] of run.adapters) adapters.set(name, { a: await read(ad.A), b: await read(ad.B) });
  const trainedLayers = new Map<string, { shape: number[]; values: Float32Array }[]>();
  for (const [name, mode] of Object.entries(run.plan)) {
    if (mode.kind !== 'full') continue;
    const weights = findLayer(run.base.model, name).getWeights();
    trainedLayers.set(name, await Promise.all(weights.map(async (w) => ({ shape: w.shape, values: await read(w) }))));
  }
  return { plan: run.plan, head: { kernel: await read(run.head.kernel), bias: await read(run.head.bias) }, adapters, trainedLayers };
}

/** Rebuilds the run on a freshly loaded copy of its model (on the current backend). */
export function restoreRun(snapshot: RunSnapshot, base: BaseModel): { head: Head; adapters: LoraAdapters } {
  for (const [name, weights] of snapshot.trainedLayers) {
    const tensors = weights.map((w) => tf.tensor(w.values, w.shape));
    findLayer(base.model, name).setWeights(tensors);
    tensors.forEach((t) => t.dispose());
  }
  const adapters: LoraAdapters = new Map();
  for (const [name, { a, b }] of snapshot.adapters) {
    adapters.set(name, loraAdapterFromValues(findLayer(base.model, name), snapshot.plan[name] as LoraMode, a, b));
  }
  const F = base.summary.featureSize;
  const K = snapshot.head.bias.length;
  return { head: headFromValues(snapshot.head.kernel, snapshot.head.bias, F, K), adapters };
}
