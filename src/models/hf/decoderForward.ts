/**
 * The forward pass of every llama-like family (llama, qwen2, qwen3, mistral, phi3, smollm3, gemma),
 * one code path steered by the config's block options and per-layer specs:
 *   h = embed(ids) * embeddingScale
 *   per block: h += [norm](o_proj(attend(rope(qkNorm(q)), rope(qkNorm(k)), v)))   over the block's window
 *              h += [norm](down(act(gate(x)) * up(x))),  x = norm(h)
 *   hidden = norm(h)        (causalLmLogits applies lm_head and the final soft-capping)
 * Pre-norm blocks with RMSNorm (gemma: (1 + w), plus a norm on each sub-block's output), rotary
 * embeddings per block (none on smollm3's NoPE layers, partial on phi3, a base per layer type on
 * gemma3), grouped-query attention, fused or separate projections. Each block runs through
 * recomputeBlock, which recomputes it in the backward pass under gradient checkpointing.
 */
import { EngineError } from '../../errors.ts';
import { addNoSave } from '../../kernels/noSaveOps.ts';
import { tf, type Tensor } from '../../tf.ts';
import { attend, attentionBias, splitHeads } from './hfAttention.ts';
import { checkCache, embedTokens, geluNew, rmsNorm, siluGate, withPast, type ForwardInput, type ForwardOutput } from './hfBlocks.ts';
import { hfLinear, weight, type ForwardContext } from './hfLinear.ts';
import { DECODER_EMBEDDING } from './hfNames.ts';
import type { KvCache, RopeSpec } from './hfTypes.ts';
import { recomputeBlock } from './recomputeBlock.ts';
import { applyRope, ropeTables } from './rope.ts';

/** What every block of one forward call shares: sizes, masks per window, rotary tables per spec. */
export interface DecoderStep {
  ctx: ForwardContext;
  b: number;
  t: number;
  offset: number;
  cache?: KvCache;
  /** Additive attention bias per sliding window (null: full causal). */
  bias: (window: number | null) => Tensor;
  rope: (spec: RopeSpec) => { cos: Tensor; sin: Tensor };
}

function norm(step: DecoderStep, x: Tensor, name: string): Tensor {
  const { config } = step.ctx.lm;
  return rmsNorm(x, weight(step.ctx.lm, name), config.normEps, config.block.normPlusOne);
}

/** x [B*T, C] -> q [B, H, T, D], k and v [B, kvH, T, D] before rotary. */
function projectQkv(step: DecoderStep, p: string, x: Tensor): [Tensor, Tensor, Tensor] {
  const { ctx, b, t } = step;
  const { numHeads: heads, numKvHeads: kvHeads, headDim: d, block } = ctx.lm.config;
  let q: Tensor, k: Tensor, v: Tensor;
  if (block.fusedQkv) {
    const qkv = hfLinear(ctx, `${p}.self_attn.qkv_proj`, x); // [B*T, (H + 2 kvH) * D]
    [q, k, v] = tf.split(qkv, [heads * d, kvHeads * d, kvHeads * d], 1) as [Tensor, Tensor, Tensor];
  } else {
    q = hfLinear(ctx, `${p}.self_attn.q_proj`, x); // [B*T, H*D]
    k = hfLinear(ctx, `${p}.self_attn.k_proj`, x); // [B*T, kvH*D]
    v = hfLinear(ctx, `${p}.self_attn.v_proj`, x); // [B*T, kvH*D]
  }
  return [splitHeads(q, b, t, heads, d), splitHeads(k, b, t, kvHeads, d), splitHeads(v, b, t, kvHeads, d)];
}

/** The attention sub-block of block i: h [B*T, C] -> its residual update [B*T, C]; sets this block's keys and values. */
export function decoderAttention(step: DecoderStep, i: number, h: Tensor, keys: Tensor[], values: Tensor[]): Tensor {
  const { ctx } = step;
  const { config } = ctx.lm;
  const { block } = config;
  const layer = config.layers[i]!;
  const p = `model.layers.${i}`;
  const a = norm(step, h, `${p}.input_layernorm.weight`); // [B*T, C]
  const [q0, k0, v] = projectQkv(step, p, a);
  let q = q0;
  let k = k0;
  if (block.qkNorm) {
    q = norm(step, q, `${p}.self_attn.q_norm.weight`); // over D, per head: [B, H, T, D]
    k = norm(step, k, `${p}.self_attn.k_norm.weight`); // [B, kvH, T, D]
  }
  if (layer.rope) {
    const { cos, sin } = step.rope(layer.rope); // [T, rotary dim]
    q = applyRope(q, cos, sin);
    k = applyRope(k, cos, sin);
  }
  const [kAll, vAll] = withPast(step.cache, i, k, v); // [B, kvH, Tk, D]
  keys[i] = kAll;
  values[i] = vAll;
  const att = attend(q, kAll, vAll, step.bias(layer.slidingWindow), { scale: block.attentionScale, softcap: block.attentionSoftcap }); // [B*T, H*D]
  const out = hfLinear(ctx, `${p}.self_attn.o_proj`, att); // [B*T, C]
  return block.sandwichNorms ? norm(step, out, `${p}.post_attention_layernorm.weight`) : out;
}

/** The MLP sub-block of block i: h [B*T, C] -> its residual update [B*T, C]. */
export function decoderMlp(step: DecoderStep, i: number, h: Tensor): Tensor {
  const { ctx } = step;
  const { block } = ctx.lm.config;
  const p = `model.layers.${i}`;
  const m = norm(step, h, block.sandwichNorms ? `${p}.pre_feedforward_layernorm.weight` : `${p}.post_attention_layernorm.weight`); // [B*T, C]
  let gate: Tensor, up: Tensor;
  if (block.fusedGateUp) {
    const both = hfLinear(ctx, `${p}.mlp.gate_up_proj`, m); // [B*T, 2I]: gate first, then up (phi3's chunk(2))
    [gate, up] = tf.split(both, 2, 1) as [Tensor, Tensor];
  } else {
    gate = hfLinear(ctx, `${p}.mlp.gate_proj`, m); // [B*T, I]
    up = hfLinear(ctx, `${p}.mlp.up_proj`, m); // [B*T, I]
  }
  const gated = block.activation === 'silu' ? siluGate(gate, up) : tf.mul(geluNew(gate), up); // [B*T, I]
  const out = hfLinear(ctx, `${p}.mlp.down_proj`, gated); // [B*T, C]
  return block.sandwichNorms ? norm(step, out, `${p}.post_feedforward_layernorm.weight`) : out;
}

/** Masks and rotary tables made once per call and shared by the blocks that use them. */
function decoderStep(input: ForwardInput): DecoderStep {
  const { ctx, ids, mask, cache, offset } = input;
  const [b, t] = ids.shape;
  const past = cache?.length ?? 0;
  const biases = new Map<number | null, Tensor>();
  const tables = new Map<RopeSpec, { cos: Tensor; sin: Tensor }>();
  return {
    ctx,
    b,
    t,
    offset,
    cache,
    bias: (window) => {
      let bias = biases.get(window);
      if (!bias) biases.set(window, (bias = attentionBias(t, past, mask, window)));
      return bias;
    },
    rope: (spec) => {
      let table = tables.get(spec);
      if (!table) tables.set(spec, (table = ropeTables(spec, offset, t)));
      return table;
    },
  };
}

/** The step as one block sees it: its attention bias and rotary tables are `kept` ([bias, cos?, sin?]), the block's own window and spec. */
function blockStep(step: DecoderStep, kept: Tensor[]): DecoderStep {
  const [bias, cos, sin] = kept as [Tensor, Tensor?, Tensor?];
  return {
    ...step,
    bias: () => bias,
    rope: () => {
      if (!cos || !sin) throw new EngineError('internal', 'a block without rotary embedding asked for rotary tables.');
      return { cos, sin };
    },
  };
}

export function decoderForward(input: ForwardInput): ForwardOutput {
  const { ctx, ids, cache } = input;
  const { config } = ctx.lm;
  checkCache(cache, config.numLayers);
  const step = decoderStep(input);
  let h = embedTokens(ctx, ids, DECODER_EMBEDDING); // [B*T, C]
  if (config.block.embeddingScale !== 1) h = tf.mul(h, config.block.embeddingScale);
  const keys: Tensor[] = [];
  const values: Tensor[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const layer = config.layers[i]!;
    // Made here, outside the block: a recomputed block must get the same tensors (kept for it), not make new ones.
    const table = layer.rope ? step.rope(layer.rope) : null;
    const consts = [step.bias(layer.slidingWindow), ...(table ? [table.cos, table.sin] : [])];
    h = recomputeBlock(ctx, i, h, consts, (x, kept) => {
      const s = blockStep(step, kept);
      const r = addNoSave(x, decoderAttention(s, i, x, keys, values));
      return addNoSave(r, decoderMlp(s, i, r));
    });
  }
  h = norm(step, h, 'model.norm.weight'); // [B*T, C]
  return { hidden: h, cache: cache ? { keys, values, length: (cache.length ?? 0) + step.t } : undefined };
}
