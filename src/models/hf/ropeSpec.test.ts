/**
 * Inverse frequencies and attention factors against transformers 5's modeling_rope_utils. The
 * expected numbers come from a line-by-line transcription of its _compute_*_parameters functions in
 * numpy float32 (torch's dtype there), run once and pasted here; they are not recomputed by the code
 * under test.
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../errors.ts';
import { parseRope } from './ropeSpec.ts';

function expectClose(actual: Float32Array | undefined, expected: number[]): void {
  expect(actual).toBeDefined();
  expect(actual!.length).toBe(expected.length);
  expected.forEach((x, i) => expect(Math.abs(actual![i]! - x)).toBeLessThanOrEqual(2e-7 * Math.abs(x)));
}

const llamaLike = (rope: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ rope_parameters: rope, max_position_embeddings: 131072, ...extra });

describe('parseRope', () => {
  it('default: 1 / theta^(2i/d), from rope_theta at the top level or in rope_parameters', () => {
    const expected = [1.0, 0.10000000149011612, 0.009999999776482582, 0.0010000000474974513];
    expectClose(parseRope({ rope_theta: 10000 }, 'c', 8, 64).invFreq, expected);
    expectClose(parseRope({ rope_parameters: { rope_type: 'default', rope_theta: 10000 } }, 'c', 8, 64).invFreq, expected);
    expectClose(parseRope({}, 'c', 8, 64).invFreq, expected); // transformers' default_theta
  });

  it('linear divides by the factor (rope_scaling with the old "type" key too)', () => {
    const expected = [0.5, 0.05000000074505806, 0.004999999888241291, 0.0005000000237487257];
    expectClose(parseRope({ rope_theta: 10000, rope_scaling: { type: 'linear', factor: 2 } }, 'c', 8, 64).invFreq, expected);
    expectClose(parseRope(llamaLike({ rope_type: 'linear', factor: 2, rope_theta: 10000 }), 'c', 8, 64).invFreq, expected);
  });

  it('dynamic NTK equals the default within max_position_embeddings', () => {
    const spec = parseRope({ rope_theta: 10000, rope_scaling: { type: 'dynamic', factor: 4 } }, 'c', 8, 64);
    expectClose(spec.invFreq, [1.0, 0.10000000149011612, 0.009999999776482582, 0.0010000000474974513]);
    expect(spec.attentionScaling).toBe(1);
  });

  it('llama3 (Llama 3.1/3.2): long wavelengths / factor, short ones kept, medium ones blended', () => {
    const spec = parseRope(llamaLike({ rope_type: 'llama3', rope_theta: 500000, factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 }), 'c', 16, 131072);
    expectClose(spec.invFreq, [1.0, 0.193922758102417, 0.03760603070259094, 0.00729266507551074, 0.000429556705057621, 8.570255886297673e-6, 1.6619676443951903e-6, 3.2229328894572973e-7]);
    expect(spec.attentionScaling).toBe(1);
  });

  it('yarn: ramp over the correction range and attention factor 0.1 ln(factor) + 1', () => {
    const spec = parseRope(llamaLike({ rope_type: 'yarn', rope_theta: 1e6, factor: 4, original_max_position_embeddings: 32768 }), 'c', 16, 131072);
    expectClose(spec.invFreq, [1.0, 0.17782793939113617, 0.03162277862429619, 0.004217559937387705, 0.0005000000237487257, 4.4456985051510856e-5, 7.905693564680405e-6, 1.405853367941745e-6]);
    expect(spec.attentionScaling).toBeCloseTo(1.138629436111989, 12);
  });

  it('yarn with mscale / mscale_all_dim, beta_fast / beta_slow and truncate false', () => {
    const p = { rope_type: 'yarn', rope_theta: 10000, factor: 8, original_max_position_embeddings: 64, mscale: 1, mscale_all_dim: 0.5, beta_fast: 16, beta_slow: 2, truncate: false };
    const spec = parseRope({ rope_parameters: p, max_position_embeddings: 512 }, 'c', 16, 512);
    expectClose(spec.invFreq, [1.0, 0.12053398787975311, 0.012500000186264515, 0.0039528473280370235, 0.0012499999720603228, 0.00039528473280370235, 0.0001250000059371814, 3.9528473280370235e-5]);
    expect(spec.attentionScaling).toBeCloseTo(1.094179988101349, 12);
  });

  it('longrope (Phi-3.5 / Phi-4-mini): short factors, long ones past the pre-training length, top-level original_max_position_embeddings', () => {
    const raw = { rope_scaling: { type: 'longrope', short_factor: [1, 1.5, 2, 3], long_factor: [2, 4, 8, 16] }, rope_theta: 10000, max_position_embeddings: 131072, original_max_position_embeddings: 4096 };
    const spec = parseRope(raw, 'c', 8, 131072);
    expectClose(spec.invFreq, [1.0, 0.06666667014360428, 0.004999999888241291, 0.00033333332976326346]);
    expectClose(spec.long?.invFreq, [0.5, 0.02500000037252903, 0.0012499999720603228, 6.25000029685907e-5]);
    expect(spec.long?.fromLength).toBe(4097);
    expect(spec.attentionScaling).toBeCloseTo(1.1902380714238083, 12);
  });

  it('partial_rotary_factor rotates the first part of each head; per-layer-type parameters (gemma3)', () => {
    expect(parseRope({ rope_parameters: { rope_theta: 10000, partial_rotary_factor: 0.5 } }, 'c', 8, 64).dim).toBe(4);
    const gemma = { rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 1e6 }, sliding_attention: { rope_type: 'default', rope_theta: 1e4 } } };
    expect(parseRope(gemma, 'c', 8, 64, 'sliding_attention').invFreq[1]).toBeCloseTo(0.1, 7);
    expect(parseRope(gemma, 'c', 8, 64, 'full_attention').invFreq[1]).toBeCloseTo(Math.pow(1e6, -0.25), 7);
  });

  it('refuses what it cannot compute, naming the field', () => {
    const err = (raw: Record<string, unknown>): EngineError => {
      try {
        parseRope(raw, 'm/config.json', 8, 64);
      } catch (e) {
        return e as EngineError;
      }
      throw new Error('expected a refusal');
    };
    expect(err({ rope_scaling: { type: 'mrope', factor: 2 } })).toMatchObject({ code: 'hf-model-unsupported', message: expect.stringMatching(/^m\/config\.json: rope_type "mrope" is not supported/) });
    expect(err({ rope_parameters: { rope_type: 'llama3', factor: 8 } }).message).toMatch(/needs "rope_parameters.low_freq_factor"/);
    expect(err({ rope_parameters: { rope_type: 'longrope', short_factor: [1] }, original_max_position_embeddings: 32 }).message).toMatch(/"rope_parameters.short_factor" must list 4 positive numbers/);
    expect(err({ rope_parameters: { rope_theta: 10000, partial_rotary_factor: 0.4 } }).message).toMatch(/rotary dimensions/);
  });
});
