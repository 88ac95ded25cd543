/**
 * Regression: one output per row, trained on the standardised target ((y - mean) / std, statistics
 * of the training rows) with mean squared error, reported back in the target's own units.
 */
import type { RegressionMetrics } from '../api.ts';
import { tf, type Scalar, type Tensor, type Tensor1D } from '../tf.ts';

/** Mean squared error; outputs [B, 1], targets [B]. */
export function regressionLoss(outputs: Tensor, targets: Tensor1D): Scalar {
  return tf.losses.meanSquaredError(targets, tf.reshape(outputs, [-1])) as Scalar; // [B] vs [B]
}

/**
 * RMSE, MAE and R² in the target's units, from standardised predictions and truths.
 * R² compares with predicting the validation mean, as scikit-learn's r2_score does.
 */
export function regressionMetrics(predicted: Float32Array, truth: Float32Array, scale: { mean: number; std: number }): RegressionMetrics {
  const n = truth.length;
  if (n === 0) return { rmse: Number.NaN, mae: Number.NaN, r2: Number.NaN, count: 0 };
  let sq = 0;
  let abs = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i]!;
  mean /= n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const err = (predicted[i]! - truth[i]!) * scale.std;
    sq += err * err;
    abs += Math.abs(err);
    total += ((truth[i]! - mean) * scale.std) ** 2;
  }
  return { rmse: Math.sqrt(sq / n), mae: abs / n, r2: total > 0 ? 1 - sq / total : Number.NaN, count: n };
}

/** A standardised model output back in the target's units. */
export function unstandardize(value: number, scale: { mean: number; std: number }): number {
  return value * scale.std + scale.mean;
}
