import { expect } from 'vitest';
import { tf } from '../tf.ts';

export interface TensorLeakOptions {
  /** How many tensors `fn` deliberately leaves alive (the ones it returns, a cache it fills). Default 0. */
  keeps?: number;
}

/**
 * Runs `fn` (sync or async) and fails unless exactly `keeps` more tensors are alive afterwards than
 * before: more means a leak, fewer means something disposed a tensor it did not own. Returns what
 * `fn` returned, so the tensors it keeps can be checked and disposed by the caller. Also fails if
 * `fn` throws (the error passes through), so wrap only code that should succeed.
 */
export async function expectNoTensorLeak<T>(fn: () => T | Promise<T>, { keeps = 0 }: TensorLeakOptions = {}): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  expect(after - before, `live tensors went from ${before} to ${after}; expected ${keeps} more`).toBe(keeps);
  return result;
}
