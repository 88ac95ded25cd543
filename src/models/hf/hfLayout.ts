/**
 * What a checkpoint must contain for a config: every tensor name with its shape, and the linear
 * projections LoRA can attach to. Names are Hugging Face's (the `*ForCausalLM` / `GPT2LMHeadModel`
 * state dict), so loading, PEFT adapters and export all agree on them.
 */
import type { HfModelConfig, LinearModule } from './hfTypes.ts';

export const LM_HEAD = 'lm_head.weight';

/** gpt2 checkpoints saved from GPT2Model lack the `transformer.` prefix GPT2LMHeadModel uses; add it. */
export function normaliseHfName(config: HfModelConfig, name: string): string {
  if (config.architecture !== 'gpt2' || name.startsWith('transformer.') || name.startsWith('lm_head.')) return name;
  return `transformer.${name}`;
}

/** The embedding matrix that a tied lm_head reuses. */
export function embeddingName(config: HfModelConfig): string {
  return config.architecture === 'gpt2' ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
}

/** Every LoRA-able linear projection, in block order. */
export function hfLinearModules(config: HfModelConfig): LinearModule[] {
  const { hiddenSize: c, intermediateSize: m, numHeads, numKvHeads, headDim } = config;
  const out: LinearModule[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const add = (path: string, inFeatures: number, outFeatures: number, hasBias: boolean, fanInFanOut: boolean): void => {
      out.push({ path, name: path.slice(path.lastIndexOf('.') + 1), layer: i, inFeatures, outFeatures, fanInFanOut, hasBias });
    };
    if (config.architecture === 'gpt2') {
      const p = `transformer.h.${i}`;
      add(`${p}.attn.c_attn`, c, 3 * c, true, true);
      add(`${p}.attn.c_proj`, c, c, true, true);
      add(`${p}.mlp.c_fc`, c, m, true, true);
      add(`${p}.mlp.c_proj`, m, c, true, true);
    } else {
      const p = `model.layers.${i}`;
      const qkvBias = config.attentionBias;
      // qwen2's attention bias is q/k/v only; llama's attention_bias covers o_proj too.
      const oBias = config.architecture === 'llama' && config.attentionBias;
      add(`${p}.self_attn.q_proj`, c, numHeads * headDim, qkvBias, false);
      add(`${p}.self_attn.k_proj`, c, numKvHeads * headDim, qkvBias, false);
      add(`${p}.self_attn.v_proj`, c, numKvHeads * headDim, qkvBias, false);
      add(`${p}.self_attn.o_proj`, numHeads * headDim, c, oBias, false);
      add(`${p}.mlp.gate_proj`, c, m, config.mlpBias, false);
      add(`${p}.mlp.up_proj`, c, m, config.mlpBias, false);
      add(`${p}.mlp.down_proj`, m, c, config.mlpBias, false);
    }
  }
  return out;
}

/** Tensor name -> shape for everything the forward pass reads (lm_head only when untied). */
export function expectedHfTensors(config: HfModelConfig): Map<string, number[]> {
  const { hiddenSize: c, vocabSize: v } = config;
  const shapes = new Map<string, number[]>();
  for (const mod of hfLinearModules(config)) {
    shapes.set(`${mod.path}.weight`, mod.fanInFanOut ? [mod.inFeatures, mod.outFeatures] : [mod.outFeatures, mod.inFeatures]);
    if (mod.hasBias) shapes.set(`${mod.path}.bias`, [mod.outFeatures]);
  }
  shapes.set(embeddingName(config), [v, c]);
  if (config.architecture === 'gpt2') {
    shapes.set('transformer.wpe.weight', [config.maxPositions, c]);
    for (let i = 0; i < config.numLayers; i++) {
      for (const ln of ['ln_1', 'ln_2']) {
        shapes.set(`transformer.h.${i}.${ln}.weight`, [c]);
        shapes.set(`transformer.h.${i}.${ln}.bias`, [c]);
      }
    }
    shapes.set('transformer.ln_f.weight', [c]);
    shapes.set('transformer.ln_f.bias', [c]);
  } else {
    for (let i = 0; i < config.numLayers; i++) {
      shapes.set(`model.layers.${i}.input_layernorm.weight`, [c]);
      shapes.set(`model.layers.${i}.post_attention_layernorm.weight`, [c]);
    }
    shapes.set('model.norm.weight', [c]);
  }
  if (!config.tieWordEmbeddings) shapes.set(LM_HEAD, [v, c]);
  return shapes;
}
