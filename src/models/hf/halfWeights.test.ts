import { describe, expect, it } from 'vitest';
import { errorOf } from '../../testing/errorOf.ts';
import { tf } from '../../tf.ts';
import { fixtureReader } from './hfTestFixtures.ts';
import { packHalves, sliceExact, unpackHalves, wantsHalf } from './halfWeights.ts';
import { loadHfCausalLm } from './loadHfCausalLm.ts';

describe('packHalves / unpackHalves', () => {
  it('packs two halves per int32, the even element in the low 16 bits', () => {
    // 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800, 65504 = 0x7bff (float16's largest)
    const p = packHalves(Float32Array.from([1, -2, 0.5, 65504]));
    expect(Array.from(new Uint32Array(p.words.buffer), (w) => w.toString(16))).toEqual(['c0003c00', '7bff3800']);
    expect(p.exact.index.length).toBe(0);
    expect(p.overflow).toBe(0);
    expect(Array.from(unpackHalves(p.words))).toEqual([1, -2, 0.5, 65504]);
  });

  it('lists every value the rounding changes, with its exact value, and the overflows among them', () => {
    // 1 + 2^-11 rounds to even (1); 1e5 overflows to inf; 2^-20 * 1.5 is below float16's subnormal step
    // in its low bit; 5.960464477539063e-8 (2^-24) is float16's smallest subnormal, exact.
    const v = Float32Array.from([1 + 2 ** -11, 1e5, 1.5 * 2 ** -25, 2 ** -24, 0.1, -0]);
    const p = packHalves(v);
    expect(Array.from(p.exact.index)).toEqual([0, 1, 2, 4]);
    expect(p.rounded).toBe(4);
    expect(packHalves(v, { keepExact: false }).exact.index.length).toBe(0);
    expect(p.overflow).toBe(1);
    const back = unpackHalves(p.words);
    expect(back[1]).toBe(Infinity);
    expect(back[3]).toBe(2 ** -24);
    expect(Object.is(back[5], -0)).toBe(true);
    // With the exact values put back, the source comes back bit for bit.
    expect(Buffer.from(unpackHalves(p.words, p.exact).buffer).equals(Buffer.from(v.buffer))).toBe(true);
  });

  it('slices the exact values of a row chunk, re-indexed', () => {
    const exact = { index: Int32Array.from([1, 5, 9]), values: Float32Array.from([10, 50, 90]) };
    const s = sliceExact(exact, 4, 8);
    expect(Array.from(s.index)).toEqual([1]);
    expect(Array.from(s.values)).toEqual([50]);
  });

  it('refuses an odd count', () => {
    expect(() => packHalves(new Float32Array(3))).toThrow(/even/);
  });
});

describe('wantsHalf', () => {
  it('auto packs F16/BF16 projections and tables with even columns; float16 forces F32 too; float32 never', () => {
    expect(wantsHalf('auto', 'BF16', [8, 4], true)).toBe(true);
    expect(wantsHalf('auto', 'F16', [8, 4], true)).toBe(true);
    expect(wantsHalf('auto', 'F32', [8, 4], true)).toBe(false);
    expect(wantsHalf('float16', 'F32', [8, 4], true)).toBe(true);
    expect(wantsHalf('float32', 'BF16', [8, 4], true)).toBe(false);
    expect(wantsHalf('auto', 'BF16', [8, 5], true)).toBe(false); // odd columns
    expect(wantsHalf('auto', 'BF16', [8], true)).toBe(false); // a norm or bias
    expect(wantsHalf('float16', 'BF16', [8, 4], false)).toBe(false); // gpt2's position table
  });
});

describe('loadHfCausalLm weight storage off WebGPU', () => {
  it('forced float16 on the CPU backend fails with a sentence naming the backend', async () => {
    await tf.setBackend('cpu');
    const e = await errorOf(loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama', undefined, {}, { weightStorage: 'float16' }));
    expect(e.message).toMatch(/weight storage float16 needs the WebGPU backend, but tiny-llama is being loaded on cpu/);
  });

  it('auto on the CPU backend keeps float32', async () => {
    await tf.setBackend('cpu');
    const lm = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama');
    expect(lm.half).toBeUndefined();
    expect([...lm.weights.values()].every((w) => w.dtype === 'float32')).toBe(true);
    tf.disposeVariables();
  });
});
