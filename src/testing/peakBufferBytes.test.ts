import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { peakBufferBytes } from './peakBufferBytes.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('peakBufferBytes', () => {
  it('counts each buffer once (clones and reshapes share one), only those made inside, at their most', async () => {
    const before = tf.ones([1000]); // 4,000 bytes alive before: not counted, nor its clone
    const peak = await peakBufferBytes(() => {
      const kept = tf.clone(before);
      const a = tf.zeros([100]); // 400
      const shared = [tf.clone(a), tf.reshape(a, [10, 10]), tf.clone(a)];
      const b = tf.zeros([200]); // 800: 1,200 alive
      tf.dispose([a, b, ...shared]);
      const c = tf.zeros([250]); // 1,000 alive after the others went
      tf.dispose([c, kept]);
    });
    expect(peak).toBe(1200);
    before.dispose();
  });
});
