/**
 * Qwen3: RMSNorm on each head's q and k (self_attn.q_norm / k_norm, [head_dim]) before rotary, an
 * explicit head_dim (not hidden / heads), attention_bias on q/k/v/o (false in released models).
 */
import { decoderFamily } from './decoderFamily.ts';
import { qwenSliding } from './decoderConfig.ts';

export const qwen3Family = decoderFamily('Qwen3', ['q_proj', 'v_proj'], {
  arch: 'qwen3',
  ...qwenSliding,
  block: () => ({ qkNorm: true }),
});
