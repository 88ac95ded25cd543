/**
 * The model registry: one entry per config.json `model_type` this app runs. Everything that differs
 * between families (config keys, layout, forward, PEFT's default targets) is reached through here.
 */
import { EngineError } from '../../errors.ts';
import { gemma2Family } from './families/gemma2.ts';
import { gemma3Family } from './families/gemma3.ts';
import { gpt2Family } from './families/gpt2.ts';
import { llamaFamily } from './families/llama.ts';
import { mistralFamily } from './families/mistral.ts';
import { phi3Family } from './families/phi3.ts';
import { qwen2Family } from './families/qwen2.ts';
import { qwen3Family } from './families/qwen3.ts';
import { smollm3Family } from './families/smollm3.ts';
import type { HfFamily } from './hfFamily.ts';
import type { HfArchitecture } from './hfTypes.ts';

export const HF_FAMILIES: readonly HfFamily[] = [gpt2Family, llamaFamily, qwen2Family, qwen3Family, mistralFamily, phi3Family, smollm3Family, gemma3Family, gemma2Family];

const byType = new Map<string, HfFamily>(HF_FAMILIES.map((f) => [f.modelType, f]));

/** The model_types the registry holds, for messages ("gpt2, llama, ..."). */
export function supportedModelTypes(): string[] {
  return HF_FAMILIES.map((f) => f.modelType);
}

/** The family of a model_type, or undefined when the registry has none. */
export function findHfFamily(modelType: string): HfFamily | undefined {
  return byType.get(modelType);
}

/** The family of a parsed config (always registered: parseHfConfig only returns registered ones). */
export function hfFamily(arch: HfArchitecture): HfFamily {
  const family = byType.get(arch);
  if (!family) throw new EngineError('internal', `no model family "${arch}" in the registry.`);
  return family;
}
