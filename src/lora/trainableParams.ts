/**
 * What a plan trains, as the AdamW parameter list (and so the varList for tf.variableGrads):
 * the A and B of every LoRA adapter plus the trainable weights of every 'full' layer. Frozen layers
 * are simply not in the list, so the tape never computes their gradients.
 * Weight decay, as Hugging Face's Trainer does it: matrices and kernels (rank >= 2, LoRA A/B included)
 * decay; biases and norm scales/offsets (rank 1) do not.
 */
import type { AdamWParam } from '../train/adamw.ts';
import type { LayersModel, Variable } from '../tf.ts';
import type { LoraAdapters } from './loraAdapter.ts';
import { findLayer, trainableWeightsOf, validatePlan, type TrainPlan } from './plan.ts';

/**
 * Side effect: a 'full' layer is marked `layer.trainable = true`, because TF.js's variableGrads skips
 * variables whose trainable flag is off, and a model-wide freeze (`model.trainable = false`, as
 * asBaseModel does) turns it off on every weight.
 */
export function trainableParams(model: LayersModel, plan: TrainPlan, adapters: LoraAdapters): AdamWParam[] {
  validatePlan(model, plan);
  const params: AdamWParam[] = [];
  for (const layer of model.layers) {
    const mode = plan[layer.name];
    if (mode?.kind === 'lora') {
      const ad = adapters.get(layer.name);
      if (!ad) throw new Error(`layer "${layer.name}" is planned as LoRA but has no adapter.`);
      params.push({ variable: ad.A, decay: true }, { variable: ad.B, decay: true });
    } else if (mode?.kind === 'full') {
      findLayer(model, layer.name).trainable = true;
      for (const w of trainableWeightsOf(layer)) {
        params.push({ variable: w.read() as Variable, decay: w.shape.length >= 2 });
      }
    }
  }
  return params;
}
