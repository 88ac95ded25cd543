/** PEFT files read back into LoRA adapters for a model, every name and shape checked; the format: peftAdapter.ts. */
import { readSafetensors, toFloat32 } from '../export/safetensors.ts';
import { tf, type LayersModel } from '../tf.ts';
import { disposeLoraAdapters, loraAdapterFromValues, type LoraAdapters } from './loraAdapter.ts';
import { parsePeftLoraConfig, PEFT_PREFIX, PEFT_WEIGHTS_FILE, peftInvalid, type PeftAdapterFiles, type PeftLoraConfig } from './peftLoraConfig.ts';
import { loraKindOf, loraLayerDims, validatePlan, type TrainPlan, type LoraMode } from './plan.ts';

export interface ImportedPeftAdapter {
  /** LoRA entries for the target modules, 'full' for modules_to_save, in the model's layer order. */
  plan: TrainPlan;
  adapters: LoraAdapters;
  baseModelName: string | null;
  config: PeftLoraConfig;
}

const sameShape = (a: number[], b: number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Reads PEFT files back into adapters for `model`, checking every tensor name and shape against it.
 * modules_to_save weights are written into the model's layers (layer.setWeights). The caller owns the
 * returned adapters (disposeLoraAdapters).
 */
export async function importPeftAdapter(files: PeftAdapterFiles, model: LayersModel): Promise<ImportedPeftAdapter> {
  const config = parsePeftLoraConfig(files['adapter_config.json']);
  const st = readSafetensors(files['adapter_model.safetensors'], PEFT_WEIGHTS_FILE);
  const layerByName = new Map(model.layers.map((l) => [l.name, l]));
  const targets = new Set(config.target_modules);
  const saved = new Set(config.modules_to_save ?? []);

  // Every tensor must name a target module's lora_A/lora_B or a modules_to_save layer's weight/bias.
  for (const [name, t] of st.tensors) {
    const m = /^base_model\.model\.(.+?)\.(lora_A\.weight|lora_B\.weight|weight|bias)$/.exec(name);
    if (!m) throw peftInvalid(`${PEFT_WEIGHTS_FILE}: tensor "${name}" is not a LoRA weight (expected ${PEFT_PREFIX}<layer>.lora_A.weight / .lora_B.weight).`);
    const [, layerName = '', part = ''] = m;
    if (!layerByName.has(layerName)) throw peftInvalid(`${PEFT_WEIGHTS_FILE}: tensor "${name}" is for module "${layerName}", which the model does not have.`);
    const isLora = part.startsWith('lora_');
    if (isLora && !targets.has(layerName)) throw peftInvalid(`${PEFT_WEIGHTS_FILE}: tensor "${name}" is for module "${layerName}", which is not in target_modules.`);
    if (!isLora && !saved.has(layerName)) throw peftInvalid(`${PEFT_WEIGHTS_FILE}: tensor "${name}" is for module "${layerName}", which is not in modules_to_save.`);
    if (t.dtype !== 'F32') throw peftInvalid(`${PEFT_WEIGHTS_FILE}: tensor "${name}" is ${t.dtype}; only F32 adapters can be imported.`);
  }

  const plan: TrainPlan = {};
  const adapters: LoraAdapters = new Map();
  try {
    for (const layer of model.layers) {
      const name = layer.name;
      if (targets.has(name)) {
        if (!loraKindOf(layer)) throw peftInvalid(`target module "${name}" is a ${layer.getClassName()}; LoRA works on Dense and Conv2D layers only.`);
        const d = loraLayerDims(layer);
        const r = config.rank_pattern[name] ?? config.r;
        const mode: LoraMode = { kind: 'lora', r, alpha: config.alpha_pattern[name] ?? config.lora_alpha, dropout: config.lora_dropout, rslora: config.use_rslora };
        const [kh, kw] = d.kernelSize;
        const wantA = d.kind === 'dense' ? [r, d.inDim] : [r, d.inDim, kh, kw];
        const wantB = d.kind === 'dense' ? [d.outDim, r] : [d.outDim, r, 1, 1];
        const a = st.tensors.get(`${PEFT_PREFIX}${name}.lora_A.weight`);
        const b = st.tensors.get(`${PEFT_PREFIX}${name}.lora_B.weight`);
        if (!a || !b) throw peftInvalid(`${PEFT_WEIGHTS_FILE}: target module "${name}" has no ${a ? 'lora_B' : 'lora_A'}.weight tensor.`);
        if (!sameShape(a.shape, wantA)) throw peftInvalid(`module "${name}": lora_A.weight has shape [${a.shape.join(', ')}]; this model's ${layer.getClassName()} with r = ${r} needs [${wantA.join(', ')}].`);
        if (!sameShape(b.shape, wantB)) throw peftInvalid(`module "${name}": lora_B.weight has shape [${b.shape.join(', ')}]; this model's ${layer.getClassName()} with r = ${r} needs [${wantB.join(', ')}].`);
        plan[name] = mode;
        const [aTf, bTf] = tf.tidy(() => {
          const A = tf.tensor(toFloat32(a), wantA);
          const B = tf.tensor(toFloat32(b), wantB);
          return [
            d.kind === 'dense' ? tf.transpose(A) : tf.transpose(A, [2, 3, 1, 0]), // [r, in] -> [in, r]; [r, in, kh, kw] -> [kh, kw, in, r]
            tf.transpose(tf.reshape(B, [d.outDim, r])), // [out, r(, 1, 1)] -> [r, out]
          ];
        });
        const [aValues, bValues] = (await Promise.all([aTf.data(), bTf.data()])) as [Float32Array, Float32Array];
        tf.dispose([aTf, bTf]);
        adapters.set(name, loraAdapterFromValues(layer, mode, aValues, bValues));
      } else if (saved.has(name)) {
        plan[name] = { kind: 'full' };
      }
    }
    for (const t of targets) if (!layerByName.has(t)) throw peftInvalid(`target module "${t}" is not a layer of this model.`);
    for (const s of saved) {
      if (!layerByName.has(s)) throw peftInvalid(`modules_to_save names "${s}", which is not a layer of this model.`);
      if (targets.has(s)) throw peftInvalid(`layer "${s}" is both a LoRA target and in modules_to_save.`);
    }
    validatePlan(model, plan);
    // Check every saved module before writing any, so a bad file leaves the model as it was.
    const writes = [...saved].map((s) => savedModuleWeights(layerByName.get(s)!, st.tensors));
    for (const write of writes) write();
  } catch (e) {
    disposeLoraAdapters(adapters);
    throw e;
  }
  return { plan, adapters, baseModelName: config.base_model_name_or_path, config };
}

/** Checks a modules_to_save layer's tensors (PyTorch layout); returns the write into the layer (TF layout). */
function savedModuleWeights(layer: tf.layers.Layer, tensors: ReturnType<typeof readSafetensors>['tensors']): () => void {
  if (!loraKindOf(layer)) throw peftInvalid(`modules_to_save layer "${layer.name}" is a ${layer.getClassName()}; only Dense and Conv2D layers can be imported.`);
  const d = loraLayerDims(layer);
  const [kh, kw] = d.kernelSize;
  const w = tensors.get(`${PEFT_PREFIX}${layer.name}.weight`);
  const want = d.kind === 'dense' ? [d.outDim, d.inDim] : [d.outDim, d.inDim, kh, kw];
  if (!w) throw peftInvalid(`${PEFT_WEIGHTS_FILE}: modules_to_save layer "${layer.name}" has no weight tensor.`);
  if (!sameShape(w.shape, want)) throw peftInvalid(`module "${layer.name}": weight has shape [${w.shape.join(', ')}]; the model needs [${want.join(', ')}].`);
  const hasBias = layer.weights.length > 1;
  const b = tensors.get(`${PEFT_PREFIX}${layer.name}.bias`);
  if (hasBias !== Boolean(b)) throw peftInvalid(`module "${layer.name}": the layer ${hasBias ? 'has' : 'has no'} bias but the file ${b ? 'has one' : 'has none'}.`);
  if (b && !sameShape(b.shape, [d.outDim])) throw peftInvalid(`module "${layer.name}": bias has shape [${b.shape.join(', ')}]; the model needs [${d.outDim}].`);
  return () => {
    const values = tf.tidy(() => {
      const t = tf.tensor(toFloat32(w), want);
      const kernel = d.kind === 'dense' ? tf.transpose(t) : tf.transpose(t, [2, 3, 1, 0]); // [out, in] -> [in, out]; [out, in, kh, kw] -> [kh, kw, in, out]
      return b ? [kernel, tf.tensor(toFloat32(b), [d.outDim])] : [kernel];
    });
    try {
      layer.setWeights(values);
    } finally {
      tf.dispose(values);
    }
  };
}
