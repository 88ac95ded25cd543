import { describe, expect, it } from 'vitest';
import { compareReport, stealTicks, type CompareOptions, type CompareRow } from './benchCompare.ts';

describe('stealTicks', () => {
  it("reads the steal column and the total of /proc/stat's first eight columns", () => {
    const stat = 'cpu  2028796 19412 311848 1970551 3790 0 1445 18889 0 0\ncpu0 1014398 9706 155924 985275 1895 0 722 9444 0 0\n';
    expect(stealTicks(stat)).toEqual([18889, 2028796 + 19412 + 311848 + 1970551 + 3790 + 0 + 1445 + 18889]);
  });

  it('gives nothing for text that is not /proc/stat', () => {
    expect(stealTicks('')).toBeUndefined();
    expect(stealTicks('intr 1 2 3 4 5 6 7 8 9')).toBeUndefined();
    expect(stealTicks('cpu 1 2 3')).toBeUndefined();
  });
});

describe('compareReport', () => {
  const options: CompareOptions = { preset: 'smollm2-135m', batch: 4, seq: 128, steps: 3, warmup: 1, threads: [1, 2], rounds: 2, device: 'cpu' };
  const row = (threads: number, stepMs: number, roundMs: number[], roundSteal: number[]): CompareRow => ({
    engine: 'tabtune wasm',
    threads,
    stepMs,
    tokensPerSecond: 512_000 / stepMs,
    roundMs,
    roundSteal,
    stealShare: Math.max(...roundSteal),
  });

  it('prints the host steal per row and per round beside the thread ratio', () => {
    const text = compareReport([row(1, 6000, [6000, 6300], [0.003, 0.004]), row(2, 3500, [3400, 4200], [0.005, 0.12])], options);
    expect(text).toContain('| tabtune wasm | 2 | 3500 | 146.3 | - | - | - | 12.0% |');
    expect(text).toContain('WASM all threads / WASM 1 thread, tokens/s: 1.71 (target >= 1.6 on 2 cores)');
    expect(text).toContain('per round (host steal, 1 / all threads): 1.76 (steal 0.3% / 0.5%), 1.50 (steal 0.4% / 12.0%)');
  });
});
