import { describe, expect, it } from 'vitest';

import { createRng } from '../data/rng.ts';
import { argmax, sampleToken } from './sampleToken.ts';

const logits = new Float32Array([0.5, 2.0, -1.0, 1.5, 0.0]);

function draws(l: Float32Array, opts: Parameters<typeof sampleToken>[1], seed: number, count: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => sampleToken(l, opts, rng));
}

describe('sampleToken', () => {
  it('temperature 0 is greedy and uses no randomness', () => {
    const rng = (): number => {
      throw new Error('greedy must not draw');
    };
    expect(sampleToken(logits, { temperature: 0 }, rng)).toBe(1);
    expect(argmax(new Float32Array([3, 7, 7, 1]))).toBe(1);
    expect(argmax(new Float32Array([NaN, -Infinity, 2]))).toBe(2);
  });

  it('top-k 1 and a tiny top-p equal greedy at any temperature', () => {
    for (const temperature of [0.3, 1, 5]) {
      expect(new Set(draws(logits, { temperature, topK: 1 }, 1, 200))).toEqual(new Set([1]));
      expect(new Set(draws(logits, { temperature, topP: 1e-6 }, 2, 200))).toEqual(new Set([1]));
    }
  });

  it('matches the softmax frequencies at temperature 1', () => {
    const n = 40_000;
    const counts = new Array<number>(logits.length).fill(0);
    for (const id of draws(logits, { temperature: 1 }, 42, n)) counts[id] = (counts[id] as number) + 1;
    const exp = Array.from(logits, (v) => Math.exp(v));
    const sum = exp.reduce((a, b) => a + b, 0);
    exp.forEach((e, i) => expect(Math.abs((counts[i] as number) / n - e / sum)).toBeLessThan(0.01));
  });

  it('top-k keeps the k most likely and renormalises', () => {
    const n = 20_000;
    const seen = draws(logits, { temperature: 1, topK: 2 }, 7, n);
    expect(new Set(seen)).toEqual(new Set([1, 3]));
    const p1 = Math.exp(2) / (Math.exp(2) + Math.exp(1.5));
    expect(Math.abs(seen.filter((id) => id === 1).length / n - p1)).toBeLessThan(0.015);
  });

  it('top-p keeps the smallest set reaching p', () => {
    // Probabilities 0.5, 0.3, 0.2: p = 0.5 keeps one, 0.7 the first two, 0.81 all three.
    const l = new Float32Array([Math.log(0.2), Math.log(0.5), Math.log(0.3)]);
    expect(new Set(draws(l, { temperature: 1, topP: 0.7 }, 3, 2000))).toEqual(new Set([1, 2]));
    expect(new Set(draws(l, { temperature: 1, topP: 0.81 }, 3, 2000))).toEqual(new Set([0, 1, 2]));
    expect(new Set(draws(l, { temperature: 1, topP: 0.5 }, 3, 500))).toEqual(new Set([1]));
  });

  it('is stable with huge logits and never picks masked tokens', () => {
    const l = new Float32Array([1e30, -Infinity, 1e30 - 1e24, NaN]);
    const seen = draws(l, { temperature: 1 }, 5, 500);
    expect(seen.every((id) => id === 0 || id === 2)).toBe(true);
    expect(draws(new Float32Array([-Infinity, -Infinity]), { temperature: 1 }, 5, 3)).toEqual([0, 0, 0]);
  });

  it('is deterministic for a seed', () => {
    const opts = { temperature: 0.8, topK: 4, topP: 0.95 };
    expect(draws(logits, opts, 123, 100)).toEqual(draws(logits, opts, 123, 100));
    expect(draws(logits, opts, 123, 100)).not.toEqual(draws(logits, opts, 124, 100));
  });

  it('refuses impossible settings', () => {
    const rng = createRng(1);
    expect(() => sampleToken(logits, { temperature: -1 }, rng)).toThrow(/temperature/);
    expect(() => sampleToken(logits, { temperature: 1, topP: 0 }, rng)).toThrow(/top-p/);
    expect(() => sampleToken(logits, { temperature: 1, topK: 1.5 }, rng)).toThrow(/top-k/);
    expect(() => sampleToken(new Float32Array(0), { temperature: 1 }, rng)).toThrow(/no logits/);
  });
});
