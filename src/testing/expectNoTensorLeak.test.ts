import { describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { expectFlatTensorCounts } from './expectFlatTensorCounts.ts';
import { expectNoTensorLeak } from './expectNoTensorLeak.ts';

describe('expectNoTensorLeak', () => {
  it('passes for code that frees what it makes, and returns its result', async () => {
    const sum = await expectNoTensorLeak(() => tf.tidy(() => tf.sum(tf.ones([3])).dataSync()[0]));
    expect(sum).toBe(3);
  });

  it('fails on a leak, sync or async', async () => {
    const leaked: tf.Tensor[] = [];
    await expect(expectNoTensorLeak(() => void leaked.push(tf.ones([2])))).rejects.toThrow(/from \d+ to \d+; expected 0 more/);
    await expect(expectNoTensorLeak(async () => void leaked.push(tf.ones([2])))).rejects.toThrow(/expected 0 more/);
    tf.dispose(leaked);
  });

  it('fails when code disposes a tensor it did not make', async () => {
    const x = tf.ones([2]);
    await expect(expectNoTensorLeak(() => x.dispose())).rejects.toThrow(/expected 0 more/);
  });

  it('counts the tensors the code keeps on purpose', async () => {
    const made: tf.Tensor[] = [];
    const y = await expectNoTensorLeak(() => tf.ones([2]), { keeps: 1 });
    await expect(expectNoTensorLeak(() => made.push(tf.ones([2])), { keeps: 2 })).rejects.toThrow(/expected 2 more/);
    tf.dispose([y, ...made]);
  });
});

describe('expectFlatTensorCounts', () => {
  it('passes for a steady count, after the skipped steps', () => {
    expectFlatTensorCounts([5, 9, 9, 9], { skip: 1 });
  });

  it('fails on a growing count, and when too few steps ran to tell', () => {
    expect(() => expectFlatTensorCounts([9, 9, 10])).toThrow(/changed: 9, 9, 10/);
    expect(() => expectFlatTensorCounts([9])).toThrow(/at least 2/);
    expect(() => expectFlatTensorCounts([5, 9], { skip: 1 })).toThrow(/at least 2/);
  });
});
