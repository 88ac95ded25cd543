/**
 * What a checkpoint must contain for a config: every tensor name with its shape, and the linear
 * projections LoRA can attach to. Names are Hugging Face's (the `*ForCausalLM` / `GPT2LMHeadModel`
 * state dict), so loading, PEFT adapters and export all agree on them. Each family's entry in the
 * registry says what it has.
 */
import { hfFamily } from './hfFamilies.ts';
import type { HfModelConfig, LinearModule } from './hfTypes.ts';

export { LM_HEAD } from './hfNames.ts';

/** A checkpoint's tensor name as the layout names it (gpt2 files saved from GPT2Model lack `transformer.`). */
export function normaliseHfName(config: HfModelConfig, name: string): string {
  const family = hfFamily(config.architecture);
  return family.normaliseName ? family.normaliseName(name) : name;
}

/** The embedding matrix that a tied lm_head reuses. */
export function embeddingName(config: HfModelConfig): string {
  return hfFamily(config.architecture).embeddingName;
}

/** Every LoRA-able linear projection, in block order (a fused projection once). */
export function hfLinearModules(config: HfModelConfig): LinearModule[] {
  return hfFamily(config.architecture).linearModules(config);
}

/** Tensor name -> shape for everything the forward pass reads (lm_head only when untied). */
export function expectedHfTensors(config: HfModelConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const mod of hfLinearModules(config)) {
    shapes.set(`${mod.path}.weight`, mod.fanInFanOut ? [mod.inFeatures, mod.outFeatures] : [mod.outFeatures, mod.inFeatures]);
    if (mod.hasBias) shapes.set(`${mod.path}.bias`, [mod.outFeatures]);
  }
  for (const [name, shape] of hfFamily(config.architecture).otherTensors(config)) shapes.set(name, shape);
  return shapes;
}
