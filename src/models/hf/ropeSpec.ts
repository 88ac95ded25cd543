/**
 * config.json -> RopeSpec, exactly as transformers 5's modeling_rope_utils computes the inverse
 * frequencies and the attention factor for each rope_type:
 *   default   inv[i] = 1 / theta^(2i / dim)
 *   linear    inv / factor
 *   dynamic   NTK base theta * (factor * L / max_pos - (factor - 1))^(dim / (dim - 2)) with
 *             L = max(seq_len, max_pos); the forward never runs past max_position_embeddings, so
 *             this is always the default frequencies (transformers' growth branch never triggers)
 *   yarn      ramp between interpolation (inv / factor) and extrapolation over the correction range
 *             of beta_fast / beta_slow rotations, attention factor 0.1 ln(factor) + 1 (or mscale ratio)
 *   llama3    long wavelengths / factor, short ones kept, a smooth blend between
 *   longrope  inv / short_factor[i] (or long_factor past original_max_position_embeddings), attention
 *             factor sqrt(1 + ln(max_pos / orig) / ln(orig))
 * Parameters come from `rope_parameters` (transformers 5), or the older `rope_scaling` + top-level
 * `rope_theta`; `type` is the old name of `rope_type`. A per-layer-type dict (gemma3's
 * {full_attention: {...}, sliding_attention: {...}}) is read with `layerType`.
 */
import { showValue } from '../../errors.ts';
import { invalidConfig, unsupportedConfig, type RawConfig } from './hfConfigKeys.ts';
import type { RopeSpec } from './hfTypes.ts';

const ROPE_TYPES = ['default', 'linear', 'dynamic', 'yarn', 'llama3', 'longrope'];

/** The rope parameter dict of the config (or of one layer type), with rope_theta and partial_rotary_factor folded in as transformers' standardize_rope_params does. */
export function ropeParameters(raw: RawConfig, fileName: string, layerType?: string): RawConfig {
  const given = raw.rope_parameters ?? raw.rope_scaling;
  if (given !== undefined && given !== null && (typeof given !== 'object' || Array.isArray(given)))
    throw invalidConfig(fileName, `"rope_parameters" must be an object, got ${showValue(given)}.`);
  let params = (given ?? {}) as RawConfig;
  if (layerType !== undefined && params[layerType] !== undefined) {
    const nested = params[layerType];
    if (nested === null || typeof nested !== 'object' || Array.isArray(nested))
      throw invalidConfig(fileName, `"rope_parameters.${layerType}" must be an object, got ${showValue(nested)}.`);
    params = nested as RawConfig;
  }
  const out: RawConfig = { ...params };
  out.rope_type = params.rope_type ?? params.type ?? 'default';
  if (out.rope_theta === undefined || out.rope_theta === null) out.rope_theta = raw.rope_theta ?? 10000; // transformers' default_theta
  // A top-level partial_rotary_factor wins over the dict's (standardize_rope_params overwrites it).
  if (raw.partial_rotary_factor !== undefined && raw.partial_rotary_factor !== null) out.partial_rotary_factor = raw.partial_rotary_factor;
  if (['llama3', 'yarn', 'longrope'].includes(String(out.rope_type))) {
    // Phi3 keeps the pre-training length at the top level, and transformers gives it priority.
    if (raw.original_max_position_embeddings !== undefined) out.original_max_position_embeddings = raw.original_max_position_embeddings;
    else if (out.original_max_position_embeddings === undefined) out.original_max_position_embeddings = raw.max_position_embeddings;
  }
  return out;
}

function num(p: RawConfig, key: string, fileName: string, fallback?: number): number {
  const v = p[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw invalidConfig(fileName, `rope_type "${String(p.rope_type)}" needs "rope_parameters.${key}", which is missing.`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidConfig(fileName, `"rope_parameters.${key}" must be a number, got ${showValue(v)}.`);
  return v;
}

function factorList(p: RawConfig, key: string, fileName: string, n: number): number[] {
  const v = p[key];
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && x > 0))
    throw invalidConfig(fileName, `"rope_parameters.${key}" must list ${n} positive numbers (rotary dimensions / 2), got ${showValue(v)}.`);
  return v as number[];
}

/** 1 / theta^(2i / dim) in float32, as torch's `base ** (arange(0, dim, 2).float() / dim)`. */
function defaultInvFreq(theta: number, dim: number): Float64Array {
  const out = new Float64Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) out[i] = Math.fround(1 / Math.fround(Math.pow(theta, Math.fround((2 * i) / dim))));
  return out;
}

function llama3(inv: Float64Array, p: RawConfig, fileName: string): Float64Array {
  const factor = num(p, 'factor', fileName);
  const low = num(p, 'low_freq_factor', fileName);
  const high = num(p, 'high_freq_factor', fileName);
  const oldLen = num(p, 'original_max_position_embeddings', fileName);
  const lowWavelen = oldLen / low;
  const highWavelen = oldLen / high;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / factor;
    const smooth = (oldLen / wavelen - low) / (high - low);
    return (1 - smooth) * (f / factor) + smooth * f;
  });
}

function yarn(theta: number, dim: number, p: RawConfig, maxPositions: number, fileName: string): { inv: Float64Array; scaling: number } {
  const orig = num(p, 'original_max_position_embeddings', fileName);
  const factor = p.factor === undefined || p.factor === null ? maxPositions / orig : num(p, 'factor', fileName);
  const mscale = (scale: number, m = 1): number => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);
  let scaling: number;
  if (p.attention_factor !== undefined && p.attention_factor !== null) scaling = num(p, 'attention_factor', fileName);
  else if (p.mscale && p.mscale_all_dim) scaling = mscale(factor, num(p, 'mscale', fileName)) / mscale(factor, num(p, 'mscale_all_dim', fileName));
  else scaling = mscale(factor);
  const betaFast = (p.beta_fast as number) || 32;
  const betaSlow = (p.beta_slow as number) || 1;
  const correctionDim = (rotations: number): number => (dim * Math.log(orig / (rotations * 2 * Math.PI))) / (2 * Math.log(theta));
  const truncate = p.truncate !== false;
  let low = correctionDim(betaFast);
  let high = correctionDim(betaSlow);
  if (truncate) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  low = Math.max(low, 0);
  high = Math.min(high, dim - 1);
  if (low === high) high += 0.001; // transformers' guard against a zero-width ramp
  const inv = new Float64Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) {
    const posFreq = Math.fround(Math.pow(theta, Math.fround((2 * i) / dim)));
    const extrapolation = 1 / posFreq;
    const interpolation = 1 / (factor * posFreq);
    const ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
    const extrapolationFactor = 1 - ramp;
    inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
  }
  return { inv, scaling };
}

/**
 * The rotary embedding of a config (or of one of its layer types). `headDim` is the config's head
 * size; `maxPositions` its max_position_embeddings.
 */
export function parseRope(raw: RawConfig, fileName: string, headDim: number, maxPositions: number, layerType?: string): RopeSpec {
  const p = ropeParameters(raw, fileName, layerType);
  const type = p.rope_type;
  if (typeof type !== 'string' || !ROPE_TYPES.includes(type))
    throw unsupportedConfig(fileName, `rope_type ${showValue(type)} is not supported; supported rotary embeddings are ${ROPE_TYPES.join(', ')}.`);
  const theta = num(p, 'rope_theta', fileName);
  if (!(theta > 0)) throw invalidConfig(fileName, `rope_theta must be a positive number, got ${showValue(p.rope_theta)}.`);
  const partial = num(p, 'partial_rotary_factor', fileName, 1);
  if (!(partial > 0 && partial <= 1)) throw invalidConfig(fileName, `partial_rotary_factor must be in (0, 1], got ${showValue(partial)}.`);
  const dim = Math.floor(headDim * partial);
  if (dim % 2 !== 0 || dim === 0)
    throw invalidConfig(fileName, `the rotary dimensions (head_dim ${headDim} x partial_rotary_factor ${partial} = ${dim}) must be even and positive.`);
  let inv = defaultInvFreq(theta, dim);
  let scaling = 1;
  let long: RopeSpec['long'];
  if (type === 'linear') {
    const factor = num(p, 'factor', fileName);
    inv = inv.map((f) => f / factor);
  } else if (type === 'dynamic') {
    num(p, 'factor', fileName); // required by transformers; no effect within max_position_embeddings
  } else if (type === 'llama3') {
    inv = llama3(inv, p, fileName);
  } else if (type === 'yarn') {
    ({ inv, scaling } = yarn(theta, dim, p, maxPositions, fileName));
  } else if (type === 'longrope') {
    const orig = num(p, 'original_max_position_embeddings', fileName);
    const factor = p.factor === undefined || p.factor === null ? maxPositions / orig : num(p, 'factor', fileName);
    scaling = p.attention_factor !== undefined && p.attention_factor !== null ? num(p, 'attention_factor', fileName) : factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(orig));
    const base = inv;
    const short = factorList(p, 'short_factor', fileName, dim / 2);
    const longFactors = factorList(p, 'long_factor', fileName, dim / 2);
    inv = base.map((f, i) => f / short[i]!);
    long = { fromLength: orig + 1, invFreq: Float32Array.from(base, (f, i) => f / longFactors[i]!) };
  }
  const spec: RopeSpec = { type, dim, invFreq: Float32Array.from(inv), attentionScaling: scaling };
  if (long) spec.long = long;
  return spec;
}
