/**
 * GPT-2 (GPT2LMHeadModel) forward pass: learned position embeddings, pre-LayerNorm blocks, fused
 * q/k/v projection (c_attn), gelu_new MLP and the final ln_f; the lm_head tied to wte is applied by
 * causalLmLogits (or the chunked loss).
 */
import { addNoSave } from '../../kernels/noSaveOps.ts';
import { tf, type Tensor } from '../../tf.ts';
import { attend, attentionBias, splitHeads } from './hfAttention.ts';
import { checkCache, embedTokens, geluNew, layerNorm, withPast, type ForwardInput, type ForwardOutput } from './hfBlocks.ts';
import { hfLinear, weight } from './hfLinear.ts';
import { GPT2_EMBEDDING } from './hfNames.ts';
import { recomputeBlock } from './recomputeBlock.ts';

export function gpt2Forward({ ctx, ids, mask, cache, offset }: ForwardInput): ForwardOutput {
  const { config } = ctx.lm;
  const [b, t] = ids.shape;
  const { numHeads: heads, headDim: d, normEps: eps } = config;
  const past = cache?.length ?? 0;
  checkCache(cache, config.numLayers);
  const w = (name: string): Tensor => weight(ctx.lm, name);

  const positions = tf.range(offset, offset + t, 1, 'int32'); // [T]
  const posEmb = tf.gather(w('transformer.wpe.weight'), positions); // [T, C]
  const tokens = embedTokens(ctx, ids, GPT2_EMBEDDING); // [B*T, C]
  const tokens3 = tf.reshape(tokens, [b, t, config.hiddenSize]); // [B, T, C]
  let h = tf.reshape(tf.add(tokens3, posEmb), [b * t, config.hiddenSize]); // [B*T, C]
  const bias = attentionBias(t, past, mask);
  const keys: Tensor[] = [];
  const values: Tensor[] = [];

  for (let i = 0; i < config.numLayers; i++) {
    const p = `transformer.h.${i}`;
    // With gradient checkpointing the block runs again in the backward pass, on the kept bias.
    h = recomputeBlock(ctx, i, h, [bias], (x, [bias_]) => {
      const a = layerNorm(x, w(`${p}.ln_1.weight`), w(`${p}.ln_1.bias`), eps);
      const qkv = hfLinear(ctx, `${p}.attn.c_attn`, a); // [B*T, 3C]
      const [q, k, v] = tf.split(qkv, 3, 1); // each [B*T, C]
      const [kAll, vAll] = withPast(cache, i, splitHeads(k!, b, t, heads, d), splitHeads(v!, b, t, heads, d)); // [B, H, Tk, D]
      keys[i] = kAll;
      values[i] = vAll;
      const att = attend(splitHeads(q!, b, t, heads, d), kAll, vAll, bias_!); // [B*T, C]
      const r = addNoSave(x, hfLinear(ctx, `${p}.attn.c_proj`, att));
      const m = layerNorm(r, w(`${p}.ln_2.weight`), w(`${p}.ln_2.bias`), eps);
      const inner = geluNew(hfLinear(ctx, `${p}.mlp.c_fc`, m)); // [B*T, inner]
      return addNoSave(r, hfLinear(ctx, `${p}.mlp.c_proj`, inner));
    });
  }
  h = layerNorm(h, w('transformer.ln_f.weight'), w('transformer.ln_f.bias'), eps);
  return { hidden: h, cache: cache ? { keys, values, length: past + t } : undefined };
}
