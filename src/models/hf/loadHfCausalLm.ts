/**
 * Loads a Hugging Face causal LM folder (config.json + safetensors) into TF.js variables. The
 * variables are not trainable: fine-tuning trains LoRA adapters only, and tf.variableGrads without an
 * explicit list then never touches the base weights.
 */
import { EngineError } from '../../errors.ts';
import { tf, type Variable } from '../../tf.ts';
import { parseHfConfig } from './hfConfig.ts';
import { embeddingName, hfLinearModules, LM_HEAD } from './hfLayout.ts';
import { allWeights } from './hfLinear.ts';
import { maxTensorBytes, tooLargeForBuffer, type DeviceLimits } from './hfMemory.ts';
import { splitRows } from './rowChunks.ts';
import type { HfCausalLm } from './hfTypes.ts';
import { readHfWeights, type HfFileReader } from './hfWeights.ts';

export interface HfLoadProgress {
  /** 0..1 over the weight files. */
  fraction: number;
  message: string;
}

/**
 * `label` names the model in messages (a repo id or folder name). `limits` are the running device's
 * buffer limits (deviceLimits()): a vocabulary table bigger than one buffer is held in row chunks.
 */
export async function loadHfCausalLm(
  read: HfFileReader,
  label: string,
  onProgress?: (progress: HfLoadProgress) => void,
  limits: DeviceLimits = {},
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
  const weights = new Map<string, Variable>();
  const rowChunks = new Map<string, Variable[]>();
  const maxBytes = maxTensorBytes(limits);
  const tables = new Set([embeddingName(config), LM_HEAD]);
  const upload = (values: Float32Array, shape: number[]): Variable => {
    const t = tf.tensor(values, shape, 'float32');
    const v = tf.variable(t, false);
    t.dispose();
    return v;
  };
  try {
    await readHfWeights(
      read,
      config,
      label,
      (name, w) => {
        // Upload each tensor as soon as it is decoded so the float32 copy can be collected.
        if (w.values.length * 4 <= maxBytes) {
          weights.set(name, upload(w.values, w.shape));
        } else if (tables.has(name) && w.shape.length === 2) {
          const [rows, cols] = w.shape as [number, number];
          const chunks: Variable[] = [];
          rowChunks.set(name, chunks);
          for (const chunk of splitRows(w.values, rows, cols, maxBytes)) chunks.push(upload(chunk.values, chunk.shape));
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
  return { config, weights, ...(rowChunks.size > 0 ? { rowChunks } : {}), modules: hfLinearModules(config) };
}

/** Frees every weight variable of the model. */
export function disposeHfCausalLm(lm: HfCausalLm): void {
  for (const [, vs] of allWeights(lm)) for (const v of vs) v.dispose();
  lm.weights.clear();
  lm.rowChunks?.clear();
}
