/**
 * Gemma 3 text models (270M, 1B; gemma3_text): Gemma 2's block (gemma2.ts) plus RMSNorm (1 + weight)
 * on each head's q and k, five sliding-window layers to one full-attention layer, and a rotary base
 * per layer type: rope_parameters {full_attention: {...}, sliding_attention: {...}} in transformers 5
 * configs, rope_theta (+ rope_scaling) for full layers and rope_local_base_freq for sliding ones in
 * older configs. No soft-capping unless the config sets it.
 */
import type { HfFamily } from '../hfFamily.ts';
import type { RawConfig } from '../hfConfigKeys.ts';
import { FULL_ATTENTION, parseDecoderConfig, SLIDING_ATTENTION, type DecoderRules } from './decoderConfig.ts';
import { decoderFamily } from './decoderFamily.ts';
import { gemmaRules } from './gemma2.ts';

const DEFAULT_THETA = { global: 1_000_000, local: 10_000 };

/**
 * The config with rope_parameters keyed by layer type, as Gemma3TextConfig.convert_rope_params_to_dict
 * builds it from an older config (rope_scaling applies to full-attention layers only).
 */
export function gemma3RopeByLayerType(raw: RawConfig): RawConfig {
  const given = raw.rope_parameters;
  const isObject = (x: unknown): x is RawConfig => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObject(given) && (isObject(given[FULL_ATTENTION]) || isObject(given[SLIDING_ATTENTION]))) return raw;
  const full: RawConfig = { rope_type: 'default', ...(isObject(raw.rope_scaling) ? raw.rope_scaling : {}), ...(isObject(given) ? given : {}) };
  full.rope_theta ??= raw.rope_theta ?? DEFAULT_THETA.global;
  const sliding: RawConfig = { rope_type: 'default', rope_theta: raw.rope_local_base_freq ?? DEFAULT_THETA.local };
  const { rope_scaling: _, ...rest } = raw;
  return { ...rest, rope_parameters: { [FULL_ATTENTION]: full, [SLIDING_ATTENTION]: sliding } };
}

const gemma = gemmaRules('gemma3_text', { attention: null, final: null }, (raw) => {
  // Gemma3TextConfig's sliding_window_pattern (saved as _sliding_window_pattern): every n-th layer is full.
  const p = raw.sliding_window_pattern ?? raw._sliding_window_pattern;
  return typeof p === 'number' && Number.isSafeInteger(p) && p > 0 ? p : 6;
});
const rules: DecoderRules = { ...gemma, block: (raw, fileName, headDim, hiddenSize) => ({ ...gemma.block!(raw, fileName, headDim, hiddenSize), qkNorm: true }) };

export const gemma3Family: HfFamily = {
  ...decoderFamily('Gemma 3', ['q_proj', 'v_proj'], rules),
  // The raw config is kept as given (a merged model writes it back unchanged); only parsing sees the conversion.
  parse: (raw, fileName) => ({ ...parseDecoderConfig(gemma3RopeByLayerType(raw), fileName, rules), raw }),
};
