/**
 * Next-token logits of a loaded Hugging Face causal LM, as TF.js ops (differentiable, so the same
 * call trains LoRA adapters). The family's entry in the registry gives the forward pass;
 * causalLmHidden stops before lm_head (for the chunked loss), and headLogits is lm_head as both
 * the logits and the chunked loss apply it (row-chunked tables, gemma2's final soft-capping).
 */
import { EngineError } from '../../errors.ts';
import { tf, type Tensor, type Tensor2D } from '../../tf.ts';
import { hfFamily } from './hfFamilies.ts';
import { forwardContext, tableChunks } from './hfLinear.ts';
import { LM_HEAD } from './hfNames.ts';
import type { HfCausalLm, KvCache, LmLora } from './hfTypes.ts';
import { matMulRows } from './rowChunks.ts';

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
  /**
   * Gradient checkpointing: each block keeps only its input for the backward pass and runs its
   * forward again there (recomputeBlock.ts); needs a dropoutSeed when LoRA has dropout. Without a
   * gradient tape (a reference or validation pass) it frees each block's intermediates as it ends. No KV cache.
   */
  recompute?: boolean;
}

export interface CausalLmHidden {
  hidden: Tensor2D; // [B*T, C], after the final norm
  cache?: KvCache;
}

export interface CausalLmOutput {
  logits: Tensor; // [B, T, V]
  cache?: KvCache;
}

/** lm_head as the logits and the chunked loss read it. */
export interface LmHead {
  /** lm_head's weight [V, C] (the token embedding when tied), whole or in row chunks [V_k, C] (rowChunks.ts). Frozen: no plan trains it. */
  chunks: Tensor[];
  /** Final logit soft-capping (gemma2's final_logit_softcapping: cap * tanh(z / cap)), or null. */
  softcap: number | null;
}

export function lmHeadOf(lm: HfCausalLm): LmHead {
  const { config } = lm;
  const name = config.tieWordEmbeddings ? hfFamily(config.architecture).embeddingName : LM_HEAD;
  return { chunks: tableChunks(lm, name), softcap: config.block.finalSoftcap };
}

/** h [N, C] -> logits [N, V] (soft-capped where the family does). */
export function headLogits(head: LmHead, h: Tensor): Tensor {
  const logits = matMulRows(h, head.chunks); // [N, V]
  const cap = head.softcap;
  return cap ? tf.mul(tf.tanh(tf.div(logits, cap)), cap) : logits;
}

/** ids [B, T] int32 -> logits [B, T, V]. */
export function causalLmLogits(lm: HfCausalLm, ids: Tensor2D, opts: CausalLmOptions = {}): CausalLmOutput {
  const [b, t] = ids.shape;
  return tf.tidy(() => {
    const out = causalLmHidden(lm, ids, opts);
    const logits = tf.reshape(headLogits(lmHeadOf(lm), out.hidden), [b, t, lm.config.vocabSize]); // [B, T, V]
    return (out.cache ? { logits, cache: out.cache } : { logits }) as unknown as tf.TensorContainer;
  }) as unknown as CausalLmOutput;
}

/**
 * ids [B, T] int32 -> the final hidden states [B*T, C] before lm_head: what the chunked
 * cross-entropy (lm/chunkedCrossEntropy.ts) takes, so no [B, T, V] logits are ever held.
 */
export function causalLmHidden(lm: HfCausalLm, ids: Tensor2D, opts: CausalLmOptions = {}): CausalLmHidden {
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
  ctx.decoding = opts.cache !== undefined;
  if (opts.recompute) {
    if (opts.cache) throw new EngineError('internal', 'recompute is for training and scoring; decoding with a KV cache keeps every block\'s keys and values.');
    ctx.recompute = true;
  }
  const { forward } = hfFamily(config.architecture);
  return tf.tidy(() => {
    const out = forward({ ctx, ids, mask: opts.attentionMask, cache: opts.cache, offset });
    return (out.cache ? { hidden: out.hidden, cache: out.cache } : { hidden: out.hidden }) as unknown as tf.TensorContainer;
  }) as unknown as CausalLmHidden;
}
