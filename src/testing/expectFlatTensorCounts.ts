import { expect } from 'vitest';

/**
 * For loops that run many steps: `counts` holds tf.memory().numTensors read once per step (push it
 * from a per-step hook). Fails unless there are at least two counts after the first `skip` (steps
 * that may create lasting state, such as optimizer slots) and they are all equal: a count that
 * grows step by step is a leak, even where a before/after pair cannot be taken.
 * `inFlight`: counts taken in runTrainLoop's onStep may be one higher where the next step was
 * already enqueued (its loss tensor is being read back); they then may differ by that much, no more,
 * so a leak still shows within a few steps.
 */
export function expectFlatTensorCounts(counts: readonly number[], { skip = 0, inFlight = 0 }: { skip?: number; inFlight?: number } = {}): void {
  const steady = counts.slice(skip);
  expect(steady.length, `need at least 2 tensor counts after skipping ${skip}, got ${counts.length} in all`).toBeGreaterThanOrEqual(2);
  if (inFlight === 0) expect(new Set(steady).size, `live tensors per step changed: ${steady.join(', ')}`).toBe(1);
  else expect(Math.max(...steady) - Math.min(...steady), `live tensors per step changed by more than ${inFlight}: ${steady.join(', ')}`).toBeLessThanOrEqual(inFlight);
}
