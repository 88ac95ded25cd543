/**
 * Tensor layout of the llama-like decoders (`model.layers.<i>.self_attn.*`, `.mlp.*`), derived from
 * the block options: separate or fused projections (phi3's qkv_proj [q; k; v] and gate_up_proj
 * [gate; up] are one module each, so LoRA and the plan table see them once, as PEFT does), q/k norms,
 * and gemma's four norms per block.
 */
import { DECODER_EMBEDDING, LM_HEAD } from '../hfNames.ts';
import type { HfModelConfig, LinearModule } from '../hfTypes.ts';

/** Every LoRA-able linear projection, in block order. */
export function decoderLinearModules(config: HfModelConfig): LinearModule[] {
  const { hiddenSize: c, intermediateSize: m, numHeads, numKvHeads, headDim, block } = config;
  const out: LinearModule[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    const add = (path: string, inFeatures: number, outFeatures: number, hasBias: boolean, fuses?: string[]): void => {
      const m: LinearModule = { path, name: path.slice(path.lastIndexOf('.') + 1), layer: i, inFeatures, outFeatures, fanInFanOut: false, hasBias };
      if (fuses) m.fuses = fuses;
      out.push(m);
    };
    const q = numHeads * headDim;
    const kv = numKvHeads * headDim;
    if (block.fusedQkv) add(`${p}.self_attn.qkv_proj`, c, q + 2 * kv, config.attentionBias, ['q_proj', 'k_proj', 'v_proj']);
    else {
      add(`${p}.self_attn.q_proj`, c, q, config.attentionBias);
      add(`${p}.self_attn.k_proj`, c, kv, config.attentionBias);
      add(`${p}.self_attn.v_proj`, c, kv, config.attentionBias);
    }
    add(`${p}.self_attn.o_proj`, q, c, config.outputBias);
    if (block.fusedGateUp) add(`${p}.mlp.gate_up_proj`, c, 2 * m, config.mlpBias, ['gate_proj', 'up_proj']);
    else {
      add(`${p}.mlp.gate_proj`, c, m, config.mlpBias);
      add(`${p}.mlp.up_proj`, c, m, config.mlpBias);
    }
    add(`${p}.mlp.down_proj`, m, c, config.mlpBias);
  }
  return out;
}

/** The norm weights of block i, by the name the forward reads them under. */
export function blockNormNames(config: HfModelConfig, i: number): string[] {
  const p = `model.layers.${i}`;
  const names = [`${p}.input_layernorm.weight`, `${p}.post_attention_layernorm.weight`];
  if (config.block.sandwichNorms) names.push(`${p}.pre_feedforward_layernorm.weight`, `${p}.post_feedforward_layernorm.weight`);
  return names;
}

/** Embedding, norms (q/k norms are [head_dim]) and lm_head when untied. */
export function decoderOtherTensors(config: HfModelConfig): Map<string, number[]> {
  const { hiddenSize: c, vocabSize: v } = config;
  const shapes = new Map<string, number[]>([[DECODER_EMBEDDING, [v, c]]]);
  for (let i = 0; i < config.numLayers; i++) {
    for (const name of blockNormNames(config, i)) shapes.set(name, [c]);
    if (config.block.qkNorm) {
      shapes.set(`model.layers.${i}.self_attn.q_norm.weight`, [config.headDim]);
      shapes.set(`model.layers.${i}.self_attn.k_norm.weight`, [config.headDim]);
    }
  }
  shapes.set('model.norm.weight', [c]);
  if (!config.tieWordEmbeddings) shapes.set(LM_HEAD, [v, c]);
  return shapes;
}
