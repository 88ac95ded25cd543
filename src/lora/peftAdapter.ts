/**
 * LoRA adapters as Hugging Face PEFT files, and back:
 *   adapter_model.safetensors  F32 tensors, __metadata__ {format: "pt"}
 *   adapter_config.json        LoraConfig fields (peft_type "LORA")
 *
 * Tensor names and layouts (PyTorch's; ours are the TF layouts of loraAdapter.ts):
 *   Dense  (nn.Linear)   base_model.model.<layer>.lora_A.weight  [r, in]         = A[in, r]^T
 *                        base_model.model.<layer>.lora_B.weight  [out, r]        = B[r, out]^T
 *   Conv2D (nn.Conv2d)   base_model.model.<layer>.lora_A.weight  [r, in, kh, kw] = A[kh, kw, in, r] permuted (3, 2, 0, 1)
 *                        base_model.model.<layer>.lora_B.weight  [out, r, 1, 1]  = B[r, out]^T, then two unit axes
 *   'train' layers (modules_to_save), Dense and Conv2D only:
 *                        base_model.model.<layer>.weight  [out, in] = kernel[in, out]^T
 *                                                         or [out, in, kh, kw] = kernel[kh, kw, in, out] permuted (3, 2, 0, 1)
 *                        base_model.model.<layer>.bias    [out]
 * PEFT's lora_A for a conv is Conv2d(in, r, kernel_size, stride, padding) of the base layer, lora_B a 1x1
 * Conv2d(r, out): PEFT takes stride and padding from the PyTorch base module, which must match ours.
 *
 * Config: r and lora_alpha are the most common values (ties: the earliest layer); layers that differ
 * are listed in rank_pattern / alpha_pattern by layer name. PEFT has one use_rslora and one lora_dropout:
 * use_rslora is the most common setting and a layer with the other setting is written with the alpha
 * that gives it the same scale (rsLoRA alpha a at rank r == plain alpha a*sqrt(r)); lora_dropout is the
 * most common rate (dropout is a training-time setting and does not change the adapter's outputs).
 * task_type is null: the adapter wraps a plain model (PeftModel), which is what the names above assume.
 */
import { EngineError, showValue } from '../errors.ts';
import { readSafetensors, toFloat32, writeSafetensors, type TensorToWrite } from '../export/safetensors.ts';
import { tf, type LayersModel, type Tensor } from '../tf.ts';
import { loraAdapterFromValues, disposeLoraAdapters, type LoraAdapter, type LoraAdapters } from './loraAdapter.ts';
import { loraKindOf, loraLayerDims, validatePlan, type TrainPlan, type LoraMode } from './plan.ts';

export const PEFT_CONFIG_FILE = 'adapter_config.json';
export const PEFT_WEIGHTS_FILE = 'adapter_model.safetensors';
const PREFIX = 'base_model.model.';

export interface PeftAdapterFiles {
  'adapter_config.json': string;
  'adapter_model.safetensors': Uint8Array;
}

/** The adapter_config.json we write (and the fields we read back). */
export interface PeftLoraConfig {
  peft_type: 'LORA';
  task_type: string | null;
  base_model_name_or_path: string | null;
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: string[];
  rank_pattern: Record<string, number>;
  alpha_pattern: Record<string, number>;
  use_rslora: boolean;
  bias: 'none';
  fan_in_fan_out: false;
  init_lora_weights: boolean;
  use_dora: false;
  inference_mode: true;
  modules_to_save: string[] | null;
}

export interface PeftExportOptions {
  /** base_model_name_or_path: where PEFT should find the base model (a Hub id or path). */
  baseModelName?: string | null;
}

export interface ImportedPeftAdapter {
  /** LoRA entries for the target modules, 'train' for modules_to_save, in the model's layer order. */
  plan: TrainPlan;
  adapters: LoraAdapters;
  baseModelName: string | null;
  config: PeftLoraConfig;
}

const invalid = (message: string): EngineError => new EngineError('peft-adapter-invalid', message);

/** The value seen most often; ties go to the one seen first. */
function mostCommon<T>(values: T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0] as T;
  for (const v of values) if ((counts.get(v) ?? 0) > (counts.get(best) ?? 0)) best = v;
  return best;
}

/** Tensor -> bytes to write (values copied out, tensor freed). Async: WebGPU cannot read synchronously. */
async function f32(t: Tensor): Promise<TensorToWrite> {
  const data = (await t.data()) as Float32Array;
  const shape = t.shape.slice();
  t.dispose();
  return { dtype: 'F32', shape, data };
}

/** Writes the plan's adapters (and 'train' Dense/Conv2D layers as modules_to_save) as PEFT files. */
export async function exportPeftAdapter(model: LayersModel, plan: TrainPlan, adapters: LoraAdapters, options: PeftExportOptions = {}): Promise<PeftAdapterFiles> {
  validatePlan(model, plan);
  const loraLayers: LoraAdapter[] = [];
  const trained: tf.layers.Layer[] = [];
  for (const layer of model.layers) {
    const mode = plan[layer.name];
    if (mode?.kind === 'lora') {
      const ad = adapters.get(layer.name);
      if (!ad) throw invalid(`layer "${layer.name}" is planned as LoRA but has no adapter to export.`);
      loraLayers.push(ad);
    } else if (mode?.kind === 'full') {
      if (!loraKindOf(layer)) {
        throw new EngineError('peft-export-unsupported', `layer "${layer.name}" (${layer.getClassName()}) is trained in full; PEFT export can save fully trained Dense and Conv2D layers only (modules_to_save). Freeze it or use LoRA on a supported layer.`);
      }
      trained.push(layer);
    }
  }
  if (loraLayers.length === 0) throw invalid('the plan has no LoRA layers: there is no adapter to export.');

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
    const name = PREFIX + a.layerName;
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
    tensors[`${PREFIX}${layer.name}.weight`] = await f32(k.rank === 2 ? tf.transpose(k) : tf.transpose(k, [3, 2, 0, 1])); // [in, out] -> [out, in]; [kh, kw, in, out] -> [out, in, kh, kw]
    if (bias && layer.getConfig().useBias !== false) tensors[`${PREFIX}${layer.name}.bias`] = await f32(bias.read().clone()); // [out]
  }
  return {
    'adapter_config.json': `${JSON.stringify(config, null, 2)}\n`,
    'adapter_model.safetensors': writeSafetensors(tensors, { format: 'pt' }),
  };
}

const isRecordOfNumbers = (v: unknown): v is Record<string, number> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((n) => typeof n === 'number');

function parseConfig(text: string): PeftLoraConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw invalid(`${PEFT_CONFIG_FILE}: not valid JSON (${(e as Error).message}).`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(`${PEFT_CONFIG_FILE}: not a JSON object.`);
  const c = raw as Record<string, unknown>;
  const where = PEFT_CONFIG_FILE;
  if (c.peft_type !== 'LORA') throw invalid(`${where}: peft_type is ${showValue(c.peft_type)}; only "LORA" adapters can be imported.`);
  if (!Array.isArray(c.target_modules) || !c.target_modules.every((t) => typeof t === 'string')) {
    throw invalid(`${where}: target_modules must be a list of layer names (a regular expression is not supported).`);
  }
  if (!(Number.isInteger(c.r) && (c.r as number) >= 1)) throw invalid(`${where}: r = ${showValue(c.r)} must be a whole number >= 1.`);
  if (typeof c.lora_alpha !== 'number' || !(c.lora_alpha > 0)) throw invalid(`${where}: lora_alpha = ${showValue(c.lora_alpha)} must be a positive number.`);
  if (c.fan_in_fan_out === true) throw invalid(`${where}: fan_in_fan_out = true (GPT-2 Conv1D weights) is not supported.`);
  if (c.bias !== undefined && c.bias !== 'none') throw invalid(`${where}: bias = ${showValue(c.bias)}; only "none" is supported.`);
  if (c.use_dora === true) throw invalid(`${where}: DoRA adapters (use_dora = true) are not supported.`);
  const rankPattern = c.rank_pattern ?? {};
  const alphaPattern = c.alpha_pattern ?? {};
  if (!isRecordOfNumbers(rankPattern)) throw invalid(`${where}: rank_pattern must map layer names to ranks.`);
  if (!isRecordOfNumbers(alphaPattern)) throw invalid(`${where}: alpha_pattern must map layer names to alphas.`);
  const targets = c.target_modules as string[];
  for (const key of [...Object.keys(rankPattern), ...Object.keys(alphaPattern)]) {
    if (!targets.includes(key)) throw invalid(`${where}: rank_pattern/alpha_pattern key "${key}" is not one of target_modules (${targets.join(', ')}).`);
  }
  const mts = c.modules_to_save ?? null;
  if (mts !== null && !(Array.isArray(mts) && mts.every((t) => typeof t === 'string'))) throw invalid(`${where}: modules_to_save must be null or a list of layer names.`);
  const dropout = c.lora_dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw invalid(`${where}: lora_dropout = ${showValue(dropout)} must be in [0, 1).`);
  const base = c.base_model_name_or_path ?? null;
  return {
    peft_type: 'LORA',
    task_type: typeof c.task_type === 'string' ? c.task_type : null,
    base_model_name_or_path: typeof base === 'string' ? base : null,
    r: c.r as number,
    lora_alpha: c.lora_alpha,
    lora_dropout: dropout,
    target_modules: targets,
    rank_pattern: rankPattern,
    alpha_pattern: alphaPattern,
    use_rslora: c.use_rslora === true,
    bias: 'none',
    fan_in_fan_out: false,
    init_lora_weights: c.init_lora_weights !== false,
    use_dora: false,
    inference_mode: true,
    modules_to_save: mts as string[] | null,
  };
}

const sameShape = (a: number[], b: number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Reads PEFT files back into adapters for `model`, checking every tensor name and shape against it.
 * modules_to_save weights are written into the model's layers (layer.setWeights). The caller owns the
 * returned adapters (disposeLoraAdapters).
 */
export async function importPeftAdapter(files: PeftAdapterFiles, model: LayersModel): Promise<ImportedPeftAdapter> {
  const config = parseConfig(files['adapter_config.json']);
  const st = readSafetensors(files['adapter_model.safetensors'], PEFT_WEIGHTS_FILE);
  const layerByName = new Map(model.layers.map((l) => [l.name, l]));
  const targets = new Set(config.target_modules);
  const saved = new Set(config.modules_to_save ?? []);

  // Every tensor must name a target module's lora_A/lora_B or a modules_to_save layer's weight/bias.
  for (const [name, t] of st.tensors) {
    const m = /^base_model\.model\.(.+?)\.(lora_A\.weight|lora_B\.weight|weight|bias)$/.exec(name);
    if (!m) throw invalid(`${PEFT_WEIGHTS_FILE}: tensor "${name}" is not a LoRA weight (expected ${PREFIX}<layer>.lora_A.weight / .lora_B.weight).`);
    const [, layerName = '', part = ''] = m;
    if (!layerByName.has(layerName)) throw invalid(`${PEFT_WEIGHTS_FILE}: tensor "${name}" is for module "${layerName}", which the model does not have.`);
    const isLora = part.startsWith('lora_');
    if (isLora && !targets.has(layerName)) throw invalid(`${PEFT_WEIGHTS_FILE}: tensor "${name}" is for module "${layerName}", which is not in target_modules.`);
    if (!isLora && !saved.has(layerName)) throw invalid(`${PEFT_WEIGHTS_FILE}: tensor "${name}" is for module "${layerName}", which is not in modules_to_save.`);
    if (t.dtype !== 'F32') throw invalid(`${PEFT_WEIGHTS_FILE}: tensor "${name}" is ${t.dtype}; only F32 adapters can be imported.`);
  }

  const plan: TrainPlan = {};
  const adapters: LoraAdapters = new Map();
  try {
    for (const layer of model.layers) {
      const name = layer.name;
      if (targets.has(name)) {
        if (!loraKindOf(layer)) throw invalid(`target module "${name}" is a ${layer.getClassName()}; LoRA works on Dense and Conv2D layers only.`);
        const d = loraLayerDims(layer);
        const r = config.rank_pattern[name] ?? config.r;
        const mode: LoraMode = { kind: 'lora', r, alpha: config.alpha_pattern[name] ?? config.lora_alpha, dropout: config.lora_dropout, rslora: config.use_rslora };
        const [kh, kw] = d.kernelSize;
        const wantA = d.kind === 'dense' ? [r, d.inDim] : [r, d.inDim, kh, kw];
        const wantB = d.kind === 'dense' ? [d.outDim, r] : [d.outDim, r, 1, 1];
        const a = st.tensors.get(`${PREFIX}${name}.lora_A.weight`);
        const b = st.tensors.get(`${PREFIX}${name}.lora_B.weight`);
        if (!a || !b) throw invalid(`${PEFT_WEIGHTS_FILE}: target module "${name}" has no ${a ? 'lora_B' : 'lora_A'}.weight tensor.`);
        if (!sameShape(a.shape, wantA)) throw invalid(`module "${name}": lora_A.weight has shape [${a.shape.join(', ')}]; this model's ${layer.getClassName()} with r = ${r} needs [${wantA.join(', ')}].`);
        if (!sameShape(b.shape, wantB)) throw invalid(`module "${name}": lora_B.weight has shape [${b.shape.join(', ')}]; this model's ${layer.getClassName()} with r = ${r} needs [${wantB.join(', ')}].`);
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
    for (const t of targets) if (!layerByName.has(t)) throw invalid(`target module "${t}" is not a layer of this model.`);
    for (const s of saved) {
      if (!layerByName.has(s)) throw invalid(`modules_to_save names "${s}", which is not a layer of this model.`);
      if (targets.has(s)) throw invalid(`layer "${s}" is both a LoRA target and in modules_to_save.`);
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
  if (!loraKindOf(layer)) throw invalid(`modules_to_save layer "${layer.name}" is a ${layer.getClassName()}; only Dense and Conv2D layers can be imported.`);
  const d = loraLayerDims(layer);
  const [kh, kw] = d.kernelSize;
  const w = tensors.get(`${PREFIX}${layer.name}.weight`);
  const want = d.kind === 'dense' ? [d.outDim, d.inDim] : [d.outDim, d.inDim, kh, kw];
  if (!w) throw invalid(`${PEFT_WEIGHTS_FILE}: modules_to_save layer "${layer.name}" has no weight tensor.`);
  if (!sameShape(w.shape, want)) throw invalid(`module "${layer.name}": weight has shape [${w.shape.join(', ')}]; the model needs [${want.join(', ')}].`);
  const hasBias = layer.weights.length > 1;
  const b = tensors.get(`${PREFIX}${layer.name}.bias`);
  if (hasBias !== Boolean(b)) throw invalid(`module "${layer.name}": the layer ${hasBias ? 'has' : 'has no'} bias but the file ${b ? 'has one' : 'has none'}.`);
  if (b && !sameShape(b.shape, [d.outDim])) throw invalid(`module "${layer.name}": bias has shape [${b.shape.join(', ')}]; the model needs [${d.outDim}].`);
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
