/**
 * Next-token logits of a loaded Hugging Face causal LM, as TF.js ops (differentiable, so the same
 * call trains LoRA adapters). The family's entry in the registry gives the forward pass.
 */
import { EngineError } from '../../errors.ts';
import { tf, type Tensor, type Tensor2D } from '../../tf.ts';
import { hfFamily } from './hfFamilies.ts';
import { forwardContext } from './hfLinear.ts';
import type { HfCausalLm, KvCache, LmLora } from './hfTypes.ts';

export interface CausalLmOptions {
  /** [B, cache.length + T]: 1 for real tokens, 0 for padding (right padding). */
  attentionMask?: Tensor2D;
  lora?: LmLora;
  /** Applies LoRA dropout. */
  training?: boolean;
  dropoutSeed?: number;
  /** Past keys/values (start with emptyKvCache()); a grown cache is returned and the given one is left to the caller. */
  cache?: KvCache;
  /** Absolute position of ids[:, 0]; defaults to cache.length, or 0. */
  positionOffset?: number;
}

export interface CausalLmOutput {
  logits: Tensor; // [B, T, V]
  cache?: KvCache;
}

/** ids [B, T] int32 -> logits [B, T, V]. */
export function causalLmLogits(lm: HfCausalLm, ids: Tensor2D, opts: CausalLmOptions = {}): CausalLmOutput {
  const { config } = lm;
  if (ids.rank !== 2 || ids.dtype !== 'int32')
    throw new EngineError('hf-input-invalid', `token ids must be an int32 tensor [batch, length]; got ${ids.dtype} [${ids.shape.join(', ')}].`);
  const offset = opts.positionOffset ?? opts.cache?.length ?? 0;
  const end = offset + ids.shape[1];
  if (end > config.maxPositions)
    throw new EngineError('hf-input-invalid', `the sequence reaches position ${end} but this ${config.architecture} model supports ${config.maxPositions}; shorten the text.`);
  if (opts.attentionMask && opts.attentionMask.shape[0] !== ids.shape[0])
    throw new EngineError('hf-input-invalid', `the attention mask has ${opts.attentionMask.shape[0]} rows for ${ids.shape[0]} sequences.`);
  const ctx = forwardContext(lm, opts.lora, opts.training ?? false, opts.dropoutSeed);
  const { forward } = hfFamily(config.architecture);
  return tf.tidy(() => {
    const out = forward({ ctx, ids, mask: opts.attentionMask, cache: opts.cache, offset });
    return (out.cache ? { logits: out.logits, cache: out.cache } : { logits: out.logits }) as unknown as tf.TensorContainer;
  }) as unknown as CausalLmOutput;
}
