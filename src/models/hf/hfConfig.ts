/**
 * config.json of a Hugging Face causal LM -> HfModelConfig, through the family registry: the
 * model_type picks the family, whose parser reads its keys and refuses any setting that would change
 * the maths in a way we do not reproduce, naming the field, before a single weight is read.
 */
import { EngineError } from '../../errors.ts';
import { invalidConfig, type RawConfig } from './hfConfigKeys.ts';
import { findHfFamily, supportedModelTypes } from './hfFamilies.ts';
import type { HfModelConfig } from './hfTypes.ts';

/** Parses and checks config.json. `fileName` labels error messages (e.g. `Qwen/Qwen2-0.5B/config.json`). */
export function parseHfConfig(json: unknown, fileName = 'config.json'): HfModelConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw invalidConfig(fileName, 'is not a JSON object.');
  const raw = json as RawConfig;
  const type = raw.model_type;
  const known = supportedModelTypes().join(', ');
  if (typeof type !== 'string') throw invalidConfig(fileName, `has no "model_type"; it must name the architecture (one of ${known}).`);
  const family = findHfFamily(type);
  if (!family) throw new EngineError('hf-model-unsupported', `${fileName}: model_type "${type}" is not supported; supported families are ${known}.`);
  return family.parse(raw, fileName);
}

/** Whether the architecture has the gpt2 layout (learned positions, LayerNorm, Conv1D) or the decoder one. */
export function isGpt2(config: HfModelConfig): boolean {
  return config.architecture === 'gpt2';
}
