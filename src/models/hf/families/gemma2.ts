/**
 * Gemma 2: the llama-like block with RMSNorm (1 + weight), a norm on each sub-block's output as well
 * as its input (four per block), GeGLU with gelu_pytorch_tanh, embeddings scaled by sqrt(hidden_size)
 * in the weights' dtype, attention scaled by query_pre_attn_scalar^-0.5, tanh soft-capping of the
 * attention scores and the final logits, and sliding-window layers alternating with full ones.
 * gemma3.ts reuses these rules.
 */
import { showValue } from '../../../errors.ts';
import { boolKey, numKey, optionalNumKey, unsupportedConfig, type RawConfig } from '../hfConfigKeys.ts';
import { FULL_ATTENTION, SLIDING_ATTENTION, windowKey, type DecoderRules } from './decoderConfig.ts';
import { decoderFamily } from './decoderFamily.ts';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits } from '../halfFloat.ts';

/**
 * sqrt(hidden_size) as transformers multiplies the embeddings by it: a float32 tensor cast to the
 * weights' dtype (config `dtype`, `torch_dtype` before transformers 5), so bf16 checkpoints use 25.25
 * for Gemma 3 270M's sqrt(640) = 25.298..., as PyTorch does with from_pretrained's dtype "auto".
 */
export function gemmaEmbeddingScale(raw: RawConfig, hiddenSize: number): number {
  const scale = Math.fround(Math.sqrt(hiddenSize));
  const dtype = raw.dtype ?? raw.torch_dtype;
  const bytes = (bits: Uint16Array): Uint8Array => new Uint8Array(bits.buffer);
  if (dtype === 'bfloat16') return bfloat16ToFloat32(bytes(float32ToBfloat16Bits(Float32Array.of(scale))))[0]!;
  if (dtype === 'float16') return float16ToFloat32(bytes(float32ToFloat16Bits(Float32Array.of(scale))))[0]!;
  return scale;
}

/** The config rules Gemma 2 and Gemma 3 share; `softcapDefaults` are the config class's defaults for absent keys. */
export function gemmaRules(arch: 'gemma2' | 'gemma3_text', softcapDefaults: { attention: number | null; final: number | null }, pattern: (raw: RawConfig) => number): DecoderRules {
  const softcap = (raw: RawConfig, key: string, fileName: string, fallback: number | null): number | null => (key in raw ? optionalNumKey(raw, key, fileName) : fallback);
  return {
    arch,
    activationKey: 'hidden_activation',
    defaultActivation: 'gelu_pytorch_tanh',
    biases: (raw, fileName) => {
      const attention = boolKey(raw, 'attention_bias', fileName, false);
      return { qkv: attention, o: attention, mlp: false };
    },
    slidingWindow: (raw, fileName) => {
      // EmbeddingGemma attends both ways; a causal LM fine-tune of it would not be the same model.
      if (boolKey(raw, 'use_bidirectional_attention', fileName, false))
        throw unsupportedConfig(fileName, `use_bidirectional_attention ${showValue(raw.use_bidirectional_attention)} is not supported; only causal (left-to-right) Gemma models can be fine-tuned here.`);
      return windowKey(raw, fileName);
    },
    defaultLayerTypes: (raw, n) => Array.from({ length: n }, (_, i) => ((i + 1) % pattern(raw) !== 0 ? SLIDING_ATTENTION : FULL_ATTENTION)),
    defaultTieWordEmbeddings: true,
    block: (raw, fileName, _headDim, hiddenSize) => ({
      normPlusOne: true,
      sandwichNorms: true,
      embeddingScale: gemmaEmbeddingScale(raw, hiddenSize),
      attentionScale: Math.pow(numKey(raw, 'query_pre_attn_scalar', fileName, 256), -0.5),
      attentionSoftcap: softcap(raw, 'attn_logit_softcapping', fileName, softcapDefaults.attention),
      finalSoftcap: softcap(raw, 'final_logit_softcapping', fileName, softcapDefaults.final),
    }),
  };
}

// Gemma2Config: every other layer slides (sliding, full, sliding, ...); soft-caps 50 and 30 unless set.
export const gemma2Family = decoderFamily('Gemma 2', ['q_proj', 'v_proj'], gemmaRules('gemma2', { attention: 50, final: 30 }, () => 2));
