/**
 * Llama-family forward pass (llama, qwen2, mistral): RMSNorm pre-norm blocks, rotary embeddings on
 * q and k, grouped-query attention, SwiGLU MLP down(silu(gate(x)) * up(x)), final norm and lm_head.
 * qwen2 differs only by q/k/v biases, which hfLinear adds from the module list.
 */
import { tf, type Tensor } from '../../tf.ts';
import { attend, attentionBias, splitHeads } from './hfAttention.ts';
import { checkCache, embedTokens, rmsNorm, withPast, type ForwardInput, type ForwardOutput } from './hfBlocks.ts';
import { hfLinear, weight } from './hfLinear.ts';
import { recomputeBlock } from './recomputeBlock.ts';
import { applyRope, ropeTables } from './rope.ts';

export function llamaForward({ ctx, ids, mask, cache, offset }: ForwardInput): ForwardOutput {
  const { config } = ctx.lm;
  const [b, t] = ids.shape;
  const { numHeads: heads, numKvHeads: kvHeads, headDim: d, normEps: eps } = config;
  const past = cache?.length ?? 0;
  checkCache(cache, config.numLayers);
  const w = (name: string): Tensor => weight(ctx.lm, name);

  let h = embedTokens(ctx, ids); // [B*T, C]
  const bias = attentionBias(t, past, mask);
  const { cos, sin } = ropeTables(offset, t, d, config.ropeTheta); // [T, D] each
  const keys: Tensor[] = [];
  const values: Tensor[] = [];

  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    // With gradient checkpointing the block runs again in the backward pass, on the kept bias and tables.
    h = recomputeBlock(ctx, i, h, [bias, cos, sin], (x, [bias_, cos_, sin_]) => {
      const a = rmsNorm(x, w(`${p}.input_layernorm.weight`), eps);
      const q = applyRope(splitHeads(hfLinear(ctx, `${p}.self_attn.q_proj`, a), b, t, heads, d), cos_!, sin_!); // [B, H, T, D]
      const k = applyRope(splitHeads(hfLinear(ctx, `${p}.self_attn.k_proj`, a), b, t, kvHeads, d), cos_!, sin_!); // [B, kvH, T, D]
      const v = splitHeads(hfLinear(ctx, `${p}.self_attn.v_proj`, a), b, t, kvHeads, d); // [B, kvH, T, D]
      const [kAll, vAll] = withPast(cache, i, k, v); // [B, kvH, Tk, D]
      keys[i] = kAll;
      values[i] = vAll;
      const att = attend(q, kAll, vAll, bias_!); // [B*T, H*D]
      const r = tf.add(x, hfLinear(ctx, `${p}.self_attn.o_proj`, att));
      const m = rmsNorm(r, w(`${p}.post_attention_layernorm.weight`), eps);
      const gate = hfLinear(ctx, `${p}.mlp.gate_proj`, m); // [B*T, I]
      const up = hfLinear(ctx, `${p}.mlp.up_proj`, m); // [B*T, I]
      const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up); // silu(gate) * up
      return tf.add(r, hfLinear(ctx, `${p}.mlp.down_proj`, act));
    });
  }
  h = rmsNorm(h, w('model.norm.weight'), eps);
  return { hidden: h, cache: cache ? { keys, values, length: past + t } : undefined };
}
