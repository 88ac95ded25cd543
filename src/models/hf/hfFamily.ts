/**
 * One model family (a config.json `model_type`) as the registry holds it: how its config is read,
 * which tensors and LoRA-able projections its checkpoints have, its forward pass, and PEFT's default
 * target modules. Llama-like families share the decoder layout and forward (families/decoder*.ts)
 * and differ only in the options their parser sets; a new family is one file in families/ and one
 * line in hfFamilies.ts.
 */
import type { ForwardInput, ForwardOutput } from './hfBlocks.ts';
import type { RawConfig } from './hfConfigKeys.ts';
import type { HfArchitecture, HfModelConfig, LinearModule } from './hfTypes.ts';

export interface HfFamily {
  modelType: HfArchitecture;
  /** How the studio names the family ("Qwen3", "Phi-3 / Phi-4"). */
  label: string;
  /**
   * PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING entry (peft/utils/constants.py), what
   * LoraConfig() targets when target_modules is not given.
   */
  peftTargets: string[];
  /** config.json -> the normalised config; refuses what the forward does not reproduce, naming the field. */
  parse(raw: RawConfig, fileName: string): HfModelConfig;
  /** Every LoRA-able linear projection in block order (a fused one, such as qkv_proj, once). */
  linearModules(config: HfModelConfig): LinearModule[];
  /** Tensor name -> shape of everything else the forward reads (embeddings, norms, lm_head when untied). */
  otherTensors(config: HfModelConfig): Map<string, number[]>;
  /** The token embedding a tied lm_head reuses. */
  embeddingName: string;
  /** Checkpoint tensor name -> the name the layout uses (gpt2 files saved from GPT2Model lack `transformer.`). */
  normaliseName?(name: string): string;
  forward(input: ForwardInput): ForwardOutput;
}
