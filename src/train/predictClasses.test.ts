import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { predictClasses } from './predictClasses.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('predictClasses', () => {
  it('returns the argMax of each row as an Int32Array, leaking nothing', async () => {
    const logits = tf.tensor2d([
      [0.1, 2, -1], // -> 1
      [5, 0, 4.9], // -> 0
      [-3, -2, -1], // -> 2
    ]);
    const before = tf.memory().numTensors;
    const ids = await predictClasses(logits);
    expect(ids).toBeInstanceOf(Int32Array);
    expect(Array.from(ids)).toEqual([1, 0, 2]);
    expect(tf.memory().numTensors).toBe(before);
    expect(logits.isDisposed).toBe(false);
    logits.dispose();
  });

  it('breaks ties toward the lowest class index', async () => {
    const logits = tf.tensor2d([[1, 3, 3]]);
    expect(Array.from(await predictClasses(logits))).toEqual([1]);
    logits.dispose();
  });
});
