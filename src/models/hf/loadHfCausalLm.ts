/**
 * Loads a Hugging Face causal LM folder (config.json + safetensors) into TF.js variables. The
 * variables are not trainable: fine-tuning trains LoRA adapters only, and tf.variableGrads without an
 * explicit list then never touches the base weights.
 */
import { EngineError } from '../../errors.ts';
import { tf, type Variable } from '../../tf.ts';
import { parseHfConfig } from './hfConfig.ts';
import { hfLinearModules } from './hfLayout.ts';
import type { HfCausalLm } from './hfTypes.ts';
import { readHfWeights, type HfFileReader } from './hfWeights.ts';

export interface HfLoadProgress {
  /** 0..1 over the weight files. */
  fraction: number;
  message: string;
}

/** `label` names the model in messages (a repo id or folder name). */
export async function loadHfCausalLm(
  read: HfFileReader,
  label: string,
  onProgress?: (progress: HfLoadProgress) => void,
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
  try {
    await readHfWeights(
      read,
      config,
      label,
      (name, w) => {
        // Upload each tensor as soon as it is decoded so the float32 copy can be collected.
        const t = tf.tensor(w.values, w.shape, 'float32');
        weights.set(name, tf.variable(t, false));
        t.dispose();
      },
      (done, total) => onProgress?.({ fraction: done / total, message: `Loaded ${done} of ${total} weight file(s) of ${label}` }),
    );
  } catch (e) {
    for (const v of weights.values()) v.dispose();
    throw e;
  }
  return { config, weights, modules: hfLinearModules(config) };
}

/** Frees every weight variable of the model. */
export function disposeHfCausalLm(lm: HfCausalLm): void {
  for (const v of lm.weights.values()) v.dispose();
  lm.weights.clear();
}
