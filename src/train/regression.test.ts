import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor1D } from '../tf.ts';
import { regressionLoss, regressionMetrics, unstandardize } from './regression.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('regression', () => {
  it('loss is the mean squared error over the batch', async () => {
    const loss = regressionLoss(tf.tensor2d([[1], [2], [4]]), tf.tensor1d([1, 0, 1]) as Tensor1D);
    // (0 + 4 + 9) / 3
    expect((await loss.data())[0]).toBeCloseTo(13 / 3, 6);
  });

  it('metrics are in the target units: std scales the errors, the mean cancels', () => {
    // standardised errors 0.5, -0.5, 1 with std 10 -> 5, -5, 10
    const m = regressionMetrics(Float32Array.from([0.5, -0.5, 2]), Float32Array.from([0, 0, 1]), { mean: 100, std: 10 });
    expect(m.rmse).toBeCloseTo(Math.sqrt((25 + 25 + 100) / 3), 4);
    expect(m.mae).toBeCloseTo(20 / 3, 4);
    // truth in units: 100, 100, 110 (mean 103.33); SS_tot = 2*(3.33^2) + 6.67^2 = 66.67
    expect(m.r2).toBeCloseTo(1 - 150 / 66.6667, 3);
    expect(m.count).toBe(3);
  });

  it('a perfect model has R² 1; predicting the mean has R² 0', () => {
    const truth = Float32Array.from([-1, 0, 1]);
    expect(regressionMetrics(truth, truth, { mean: 0, std: 1 }).r2).toBe(1);
    expect(regressionMetrics(Float32Array.from([0, 0, 0]), truth, { mean: 0, std: 1 }).r2).toBeCloseTo(0, 6);
    expect(unstandardize(2, { mean: 5, std: 3 })).toBe(11);
  });
});
