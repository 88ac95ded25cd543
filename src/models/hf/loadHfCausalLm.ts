/**
 * Loads a Hugging Face causal LM folder (config.json + safetensors) into TF.js variables. The
 * variables are not trainable: fine-tuning trains LoRA adapters only, and tf.variableGrads without an
 * explicit list then never touches the base weights. On WebGPU the projections and vocabulary tables of
 * an F16/BF16 checkpoint are held as float16 pairs (halfWeights.ts): half the GPU memory.
 */
import { EngineError } from '../../errors.ts';
import { HALF_MAT_MUL, isHalf } from '../../kernels/halfMatMul.ts';
import { tf, type Variable } from '../../tf.ts';
import { packHalves, sliceExact, wantsHalf, type PackedHalves, type WeightStorage } from './halfWeights.ts';
import { parseHfConfig } from './hfConfig.ts';
import { embeddingName, hfLinearModules, LM_HEAD } from './hfLayout.ts';
import { allWeights } from './hfLinear.ts';
import { maxTensorBytes, tooLargeForBuffer, type DeviceLimits } from './hfMemory.ts';
import { splitRows } from './rowChunks.ts';
import type { HalfExact, HalfStorage, HfCausalLm } from './hfTypes.ts';
import { readHfWeights, type HfFileReader, type HfWeight } from './hfWeights.ts';

export interface HfLoadProgress {
  /** 0..1 over the weight files. */
  fraction: number;
  message: string;
}

/**
 * `label` names the model in messages (a repo id or folder name). `limits` are the running device's
 * buffer limits (deviceLimits()): a vocabulary table bigger than one buffer is held in row chunks.
 */
export interface HfLoadOptions {
  /** Frozen weights as float16 on WebGPU (halfWeights.ts); default auto. */
  weightStorage?: WeightStorage;
}

export async function loadHfCausalLm(
  read: HfFileReader,
  label: string,
  onProgress?: (progress: HfLoadProgress) => void,
  limits: DeviceLimits = {},
  { weightStorage = 'auto' }: HfLoadOptions = {},
): Promise<HfCausalLm> {
  const configBytes = await read('config.json');
  if (configBytes === null)
    throw new EngineError('hf-config-missing', `${label}/config.json is missing; a Hugging Face model folder needs its config.json next to the weights.`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(configBytes));
  } catch (e) {
    throw new EngineError('hf-config-invalid', `${label}/config.json is not valid JSON (${(e as Error).message}). Download it again.`);
  }
  const config = parseHfConfig(json, `${label}/config.json`);
  const modules = hfLinearModules(config);
  const weights = new Map<string, Variable>();
  const rowChunks = new Map<string, Variable[]>();
  const maxBytes = maxTensorBytes(limits);
  const tables = new Set([embeddingName(config), LM_HEAD]);
  // Float16 storage needs the half kernels, which only the WebGPU backend registers.
  const halfKernels = tf.getKernel(HALF_MAT_MUL, tf.getBackend()) !== undefined;
  if (weightStorage === 'float16' && !halfKernels)
    throw new EngineError('weight-storage-unsupported', `weight storage float16 needs the WebGPU backend, but ${label} is being loaded on ${tf.getBackend()}; use weight storage auto or float32 there.`);
  const storage: WeightStorage = halfKernels ? weightStorage : 'float32';
  const packable = new Set([...tables, ...modules.map((m) => `${m.path}.weight`)]);
  const half: HalfStorage = { exact: new Map(), keptFloat32: new Map(), rounded: 0 };
  const upload = (values: Float32Array | Int32Array, shape: number[], exact?: HalfExact): Variable => {
    const t = tf.tensor(values, shape, values instanceof Int32Array ? 'int32' : 'float32');
    const v = tf.variable(t, false);
    t.dispose();
    // Exported values must be the loaded ones: keep what float16 rounds (not for forced float16 on F32 weights, which is lossy by choice).
    if (exact && exact.index.length > 0) half.exact.set(v, exact);
    return v;
  };
  /** The tensor as packed halves, or null where it stays float32. */
  const packed = (name: string, w: HfWeight): PackedHalves | null => {
    if (!wantsHalf(storage, w.dtype, w.shape, packable.has(name))) return null;
    // Forced float16 on float32 weights rounds most values: keeping them all would cost more than it saves.
    const p = packHalves(w.values, { keepExact: w.dtype !== 'F32' });
    if (p.overflow > 0) {
      half.keptFloat32.set(name, p.overflow);
      return null;
    }
    half.rounded += p.rounded;
    return p;
  };
  try {
    await readHfWeights(
      read,
      config,
      label,
      (name, w) => {
        // Upload each tensor as soon as it is decoded so the float32 copy can be collected.
        const p = packed(name, w);
        const [rows = 1, cols = w.values.length] = w.shape;
        // A packed [rows, cols] is [rows, cols / 2] words of 4 bytes: sized and split as such.
        const data = p ? p.words : w.values;
        const shape = p ? [rows, cols / 2] : w.shape;
        if (data.length * 4 <= maxBytes) {
          weights.set(name, upload(data, shape, p?.exact));
        } else if (tables.has(name) && w.shape.length === 2) {
          const chunks: Variable[] = [];
          rowChunks.set(name, chunks);
          let first = 0;
          for (const chunk of splitRows(data, rows, shape[1]!, maxBytes)) {
            const n = chunk.shape[0] * cols; // values (not words) in this chunk
            chunks.push(upload(chunk.values, chunk.shape, p ? sliceExact(p.exact, first, first + n) : undefined));
            first += n;
          }
        } else {
          // checkHfModelFits refuses such a model before download; this guards callers that skip it.
          throw tooLargeForBuffer(name, w.values.length * 4, maxBytes);
        }
      },
      (done, total) => onProgress?.({ fraction: done / total, message: `Loaded ${done} of ${total} weight file(s) of ${label}` }),
    );
  } catch (e) {
    for (const v of weights.values()) v.dispose();
    for (const chunks of rowChunks.values()) for (const v of chunks) v.dispose();
    throw e;
  }
  const anyHalf = [...weights.values(), ...[...rowChunks.values()].flat()].some(isHalf);
  return { config, weights, ...(rowChunks.size > 0 ? { rowChunks } : {}), modules, ...(anyHalf || half.keptFloat32.size > 0 ? { half } : {}) };
}

/** Frees every weight variable of the model. */
export function disposeHfCausalLm(lm: HfCausalLm): void {
  for (const [, vs] of allWeights(lm)) for (const v of vs) v.dispose();
  lm.weights.clear();
  lm.rowChunks?.clear();
  lm.half?.exact.clear();
}
