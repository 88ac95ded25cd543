import { describe, expect, it } from 'vitest';
import { buildLmChartData, lmEtaMs, parseModelSource, parsePrompts } from './runMath.ts';

describe('buildLmChartData', () => {
  it('puts train loss per step and validation loss at eval steps on one axis', () => {
    const step = (s: number, loss: number) => ({ step: s, loss, learningRate: 1e-3, tokensPerSecond: 100 });
    const data = buildLmChartData([step(1, 3), step(2, 2.5), step(3, Number.NaN)], [{ step: 2, validationLoss: 2.7, samples: [] }, { step: 4, validationLoss: 2.4, samples: [] }]);
    expect(data.x).toEqual([1, 2, 3, 4]);
    expect(data.trainLoss).toEqual([3, 2.5, null, null]);
    expect(data.validationLoss).toEqual([null, 2.7, null, 2.4]);
    expect(data.validationAccuracy).toEqual([null, null, null, null]);
    expect(data.trainLossSmoothed[0]).toBeCloseTo(3);
  });
});

describe('lmEtaMs', () => {
  it('extrapolates the average step time', () => {
    expect(lmEtaMs(10, 60, 5000)).toBe(25000);
    expect(lmEtaMs(60, 60, 5000)).toBe(0);
    expect(lmEtaMs(0, 60, 0)).toBeNull();
  });
});

describe('parsePrompts', () => {
  it('one per line, blanks dropped', () => {
    expect(parsePrompts('Hi\n\n  How are you? \r\n')).toEqual(['Hi', 'How are you?']);
  });
});

describe('parseModelSource', () => {
  it('reads URLs and Hub ids', () => {
    expect(parseModelSource(' https://hf.co/x/resolve/main/ ')).toEqual({ kind: 'url', url: 'https://hf.co/x/resolve/main/' });
    expect(parseModelSource('HuggingFaceTB/SmolLM2-135M')).toEqual({ kind: 'hub', id: 'HuggingFaceTB/SmolLM2-135M' });
    expect(parseModelSource('  ')).toBeNull();
  });
});
