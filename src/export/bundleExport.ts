/**
 * One zip with everything a run produced:
 *   tabtune.json                     the manifest (base model, preprocessing, plan, classes, training)
 *   head.safetensors                 the new head, PyTorch nn.Linear layout
 *   adapter/adapter_config.json      PEFT LoRA adapter, trained layers as modules_to_save (when the plan has LoRA)
 *   adapter/adapter_model.safetensors
 *   merged/model.json, merged/weights.bin   the base with LoRA merged and the new softmax head attached,
 *                                    a TF.js LayersModel that tf.loadLayersModel loads as is
 */
import { strToU8, zipSync } from 'fflate';
import type { ExportedBundle, ExportedWeights, TrainPlan } from '../api.ts';
import type { LoraAdapters } from '../lora/loraAdapter.ts';
import { mergedModel } from '../lora/merge.ts';
import { exportPeftAdapter } from '../lora/peftAdapter.ts';
import { isHeadOnly } from '../lora/planSummary.ts';
import type { BaseModel } from '../models/baseModel.ts';
import { tf, type LayersModel } from '../tf.ts';
import { layersModelFiles } from './layersModelFiles.ts';

export interface BundleInput {
  base: BaseModel;
  plan: TrainPlan;
  adapters: LoraAdapters;
  /** Head weights, Keras layout: kernel [F, K], bias [K]. */
  kernel: Float32Array;
  bias: Float32Array;
  weights: ExportedWeights;
  /** Regression: the target's scale, folded into the merged model's last layer so it outputs the target's units. */
  regression?: { mean: number; std: number };
}

/**
 * The deployable model: (merged) base up to the feature layer, then the trained head as Dense(K, softmax),
 * or for regression Dense(1) with the target scale folded in (y = (f·W + b)·std + mean).
 */
export async function classifierModel(input: BundleInput): Promise<{ model: LayersModel; dispose: () => void }> {
  const { base, plan, adapters, regression } = input;
  const kernel = regression ? input.kernel.map((v) => v * regression.std) : input.kernel;
  const bias = regression ? input.bias.map((v) => v * regression.std + regression.mean) : input.bias;
  const body = isHeadOnly(plan) ? base.model : await mergedModel(base.model, plan, adapters);
  const F = base.summary.featureSize;
  const K = bias.length;
  const dense = tf.layers.dense({ units: K, activation: regression ? 'linear' : 'softmax', name: 'tabtune_head' });
  const features = body.getLayer(base.summary.featureLayer).output as tf.SymbolicTensor;
  const model = tf.model({ inputs: body.inputs, outputs: dense.apply(features) as tf.SymbolicTensor, name: 'tabtune_classifier' });
  tf.tidy(() => dense.setWeights([tf.tensor2d(kernel, [F, K]), tf.tensor1d(bias)]));
  return {
    model,
    // TF.js layers have no shared ownership: model.dispose() would free the base's own layers too.
    // Free only what was made here: the new head layer, and the merged copy of the body.
    dispose: () => {
      dense.dispose();
      if (body !== base.model) body.dispose();
    },
  };
}

export async function exportBundle(input: BundleInput): Promise<ExportedBundle> {
  const files: Record<string, Uint8Array> = {
    'tabtune.json': strToU8(input.weights.manifestJson),
    'head.safetensors': input.weights.safetensors,
  };
  // A PEFT adapter needs LoRA layers; fully trained layers alone live in the merged model.
  if (Object.values(input.plan).some((m) => m.kind === 'lora')) {
    const peft = await exportPeftAdapter(input.base.model, input.plan, input.adapters, { baseModelName: input.base.url });
    files['adapter/adapter_config.json'] = strToU8(peft['adapter_config.json']);
    files['adapter/adapter_model.safetensors'] = peft['adapter_model.safetensors'];
  }
  const classifier = await classifierModel(input);
  try {
    const { modelJson, weights } = await layersModelFiles(classifier.model);
    files['merged/model.json'] = strToU8(modelJson);
    files['merged/weights.bin'] = weights;
  } finally {
    classifier.dispose();
  }
  // Stored, not deflated: safetensors and float weights barely compress, and the user waits less.
  const zip = zipSync(files, { level: 0 });
  return { name: input.weights.weightsName.replace(/\.safetensors$/, '.zip'), zip, files: Object.keys(files) };
}
