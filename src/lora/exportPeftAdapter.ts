/** LoRA adapters (and fully trained Dense/Conv2D layers) written as PEFT files; the format: peftAdapter.ts. */
import { EngineError } from '../errors.ts';
import { writeSafetensors, type TensorToWrite } from '../export/safetensors.ts';
import { tf, type LayersModel, type Tensor } from '../tf.ts';
import type { LoraAdapter, LoraAdapters } from './loraAdapter.ts';
import { PEFT_PREFIX, peftInvalid, type PeftAdapterFiles, type PeftLoraConfig } from './peftLoraConfig.ts';
import { loraKindOf, validatePlan, type TrainPlan } from './plan.ts';
import { mostCommon } from './hfPeftConfig.ts';

export interface PeftExportOptions {
  /** base_model_name_or_path: where PEFT should find the base model (a Hub id or path). */
  baseModelName?: string | null;
}

/** Tensor -> bytes to write (values copied out, tensor freed). Async: WebGPU cannot read synchronously. */
async function f32(t: Tensor): Promise<TensorToWrite> {
  const data = (await t.data()) as Float32Array;
  const shape = t.shape.slice();
  t.dispose();
  return { dtype: 'F32', shape, data };
}

/** Writes the plan's adapters (and fully trained Dense/Conv2D layers as modules_to_save) as PEFT files. */
export async function exportPeftAdapter(model: LayersModel, plan: TrainPlan, adapters: LoraAdapters, options: PeftExportOptions = {}): Promise<PeftAdapterFiles> {
  validatePlan(model, plan);
  const loraLayers: LoraAdapter[] = [];
  const trained: tf.layers.Layer[] = [];
  for (const layer of model.layers) {
    const mode = plan[layer.name];
    if (mode?.kind === 'lora') {
      const ad = adapters.get(layer.name);
      if (!ad) throw peftInvalid(`layer "${layer.name}" is planned as LoRA but has no adapter to export.`);
      loraLayers.push(ad);
    } else if (mode?.kind === 'full') {
      if (!loraKindOf(layer)) {
        throw new EngineError('peft-export-unsupported', `layer "${layer.name}" (${layer.getClassName()}) is trained in full; PEFT export can save fully trained Dense and Conv2D layers only (modules_to_save). Freeze it or use LoRA on a supported layer.`);
      }
      trained.push(layer);
    }
  }
  if (loraLayers.length === 0) throw peftInvalid('the plan has no LoRA layers: there is no adapter to export.');

  const useRslora = mostCommon(loraLayers.map((a) => a.rslora));
  // The alpha that gives each layer its own scale under the file-wide use_rslora.
  const effAlpha = (a: LoraAdapter): number =>
    a.rslora === useRslora ? a.alpha : a.rslora ? a.alpha * Math.sqrt(a.r) : a.alpha / Math.sqrt(a.r);
  const r = mostCommon(loraLayers.map((a) => a.r));
  const alpha = mostCommon(loraLayers.map(effAlpha));
  const rankPattern: Record<string, number> = {};
  const alphaPattern: Record<string, number> = {};
  for (const a of loraLayers) {
    if (a.r !== r) rankPattern[a.layerName] = a.r;
    if (effAlpha(a) !== alpha) alphaPattern[a.layerName] = effAlpha(a);
  }
  const config: PeftLoraConfig = {
    peft_type: 'LORA',
    task_type: null,
    base_model_name_or_path: options.baseModelName ?? null,
    r,
    lora_alpha: alpha,
    lora_dropout: mostCommon(loraLayers.map((a) => a.dropout)),
    target_modules: loraLayers.map((a) => a.layerName),
    rank_pattern: rankPattern,
    alpha_pattern: alphaPattern,
    use_rslora: useRslora,
    bias: 'none',
    fan_in_fan_out: false,
    init_lora_weights: true,
    use_dora: false,
    inference_mode: true,
    modules_to_save: trained.length > 0 ? trained.map((l) => l.name) : null,
  };

  const tensors: Record<string, TensorToWrite> = {};
  for (const a of loraLayers) {
    const name = PEFT_PREFIX + a.layerName;
    if (a.kind === 'dense') {
      tensors[`${name}.lora_A.weight`] = await f32(tf.transpose(a.A)); // [in, r] -> [r, in]
      tensors[`${name}.lora_B.weight`] = await f32(tf.transpose(a.B)); // [r, out] -> [out, r]
    } else {
      tensors[`${name}.lora_A.weight`] = await f32(tf.transpose(a.A, [3, 2, 0, 1])); // [kh, kw, in, r] -> [r, in, kh, kw]
      tensors[`${name}.lora_B.weight`] = await f32(tf.tidy(() => tf.reshape(tf.transpose(a.B), [a.B.shape[1] as number, a.r, 1, 1]))); // [r, out] -> [out, r, 1, 1]
    }
  }
  for (const layer of trained) {
    const [kernel, bias] = layer.weights;
    if (!kernel) continue;
    const k = kernel.read();
    tensors[`${PEFT_PREFIX}${layer.name}.weight`] = await f32(k.rank === 2 ? tf.transpose(k) : tf.transpose(k, [3, 2, 0, 1])); // [in, out] -> [out, in]; [kh, kw, in, out] -> [out, in, kh, kw]
    if (bias && layer.getConfig().useBias !== false) tensors[`${PEFT_PREFIX}${layer.name}.bias`] = await f32(bias.read().clone()); // [out]
  }
  return {
    'adapter_config.json': `${JSON.stringify(config, null, 2)}\n`,
    'adapter_model.safetensors': writeSafetensors(tensors, { format: 'pt' }),
  };
}
