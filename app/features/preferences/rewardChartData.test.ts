import { describe, expect, it } from 'vitest';
import { rewardChartData } from './rewardChartData.ts';

describe('rewardChartData', () => {
  it('puts TRL reward metrics of each step in aligned columns; steps without metrics are left out', () => {
    const m = (c: number, r: number) => ({ 'rewards/chosen': c, 'rewards/rejected': r, 'rewards/margins': c - r, 'rewards/accuracies': c > r ? 1 : 0 });
    const data = rewardChartData([
      { step: 1, loss: 0.69, learningRate: 1e-3, metrics: m(0, 0) },
      { step: 2, loss: 0.6, learningRate: 1e-3 },
      { step: 3, loss: 0.5, learningRate: 1e-3, metrics: { ...m(0.3, -0.1), 'rewards/rejected': Number.NaN } },
    ]);
    expect(data).toEqual([
      [1, 3],
      [0, 0.3],
      [0, null],
      [0, 0.4],
      [0, 1],
    ]);
  });
});
