/**
 * Module lists for the PEFT adapter tests, built by hand from a config.json (no dependency on the
 * model code), in Hugging Face's module order.
 */
import type { LinearModule } from '../models/hf/hfTypes.ts';

const mod = (path: string, layer: number | null, inFeatures: number, outFeatures: number, fanInFanOut: boolean, hasBias: boolean): LinearModule => ({
  path,
  name: path.slice(path.lastIndexOf('.') + 1),
  layer,
  inFeatures,
  outFeatures,
  fanInFanOut,
  hasBias,
});

/** gpt2: Conv1D c_attn, attn.c_proj, c_fc, mlp.c_proj per block (with biases), then lm_head. */
export function gpt2Modules(nLayer: number, nEmbd: number, vocab: number, withHead = true): LinearModule[] {
  const out: LinearModule[] = [];
  for (let i = 0; i < nLayer; i++) {
    const p = `transformer.h.${i}`;
    out.push(
      mod(`${p}.attn.c_attn`, i, nEmbd, 3 * nEmbd, true, true),
      mod(`${p}.attn.c_proj`, i, nEmbd, nEmbd, true, true),
      mod(`${p}.mlp.c_fc`, i, nEmbd, 4 * nEmbd, true, true),
      mod(`${p}.mlp.c_proj`, i, 4 * nEmbd, nEmbd, true, true),
    );
  }
  if (withHead) out.push(mod('lm_head', null, nEmbd, vocab, false, false));
  return out;
}

/** llama: q, k, v, o, gate, up, down per block, then lm_head. */
export function llamaModules(layers: number, hidden: number, heads: number, kvHeads: number, headDim: number, inter: number, vocab: number): LinearModule[] {
  const out: LinearModule[] = [];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    out.push(
      mod(`${p}.self_attn.q_proj`, i, hidden, heads * headDim, false, false),
      mod(`${p}.self_attn.k_proj`, i, hidden, kvHeads * headDim, false, false),
      mod(`${p}.self_attn.v_proj`, i, hidden, kvHeads * headDim, false, false),
      mod(`${p}.self_attn.o_proj`, i, heads * headDim, hidden, false, false),
      mod(`${p}.mlp.gate_proj`, i, hidden, inter, false, false),
      mod(`${p}.mlp.up_proj`, i, hidden, inter, false, false),
      mod(`${p}.mlp.down_proj`, i, inter, hidden, false, false),
    );
  }
  out.push(mod('lm_head', null, hidden, vocab, false, false));
  return out;
}

/** The fixtures' models, from fixtures/hf-tiny/tiny-gpt2 and tiny-llama base/config.json. */
export const tinyGpt2Modules = (): LinearModule[] => gpt2Modules(2, 32, 300);
export const tinyLlamaModules = (): LinearModule[] => llamaModules(2, 32, 4, 2, 8, 64, 300);
