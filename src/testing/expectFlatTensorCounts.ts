import { expect } from 'vitest';

/**
 * For loops that run many steps: `counts` holds tf.memory().numTensors read once per step (push it
 * from a per-step hook). Fails unless there are at least two counts after the first `skip` (steps
 * that may create lasting state, such as optimizer slots) and they are all equal: a count that
 * grows step by step is a leak, even where a before/after pair cannot be taken.
 */
export function expectFlatTensorCounts(counts: readonly number[], { skip = 0 }: { skip?: number } = {}): void {
  const steady = counts.slice(skip);
  expect(steady.length, `need at least 2 tensor counts after skipping ${skip}, got ${counts.length} in all`).toBeGreaterThanOrEqual(2);
  expect(new Set(steady).size, `live tensors per step changed: ${steady.join(', ')}`).toBe(1);
}
