import { beforeAll, describe, expect, it } from 'vitest';
// The full bundle: it registers the gradients and the cpu backend.
import { tf } from '../../tf.ts';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmIdentity } from './wasmIdentity.ts';

describe('registerWasmIdentity', () => {
  beforeAll(async () => {
    registerWasmIdentity();
    registerWasmIdentity(); // idempotent
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it('a clone shares the buffer, and each side can be disposed first', () => {
    const w = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const buffers = tf.memory().numDataBuffers;
    const c = tf.clone(w);
    expect(c.dataId).toBe(w.dataId);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    w.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const d = c.clone();
    c.dispose();
    expect(Array.from(d.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    d.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });

  it('the gradient tape saves a frozen weight without copying it, and the gradient is unchanged', () => {
    const w = tf.variable(tf.randomNormal([64, 48], 0, 1, 'float32', 3), false); // [out, in], frozen
    const x = tf.randomNormal([16, 48], 0, 1, 'float32', 4);
    let added = -1;
    const g = tf.grad((xx: tf.Tensor) => {
      const before = tf.memory().numDataBuffers;
      const y = tf.matMul(xx, w, false, true); // [16, 64]; the tape saves xx and w
      added = tf.memory().numDataBuffers - before;
      return tf.sum(tf.square(y));
    })(x);
    // Only the product's output is a new buffer (the copying Identity added one per saved input).
    expect(added).toBe(1);
    const expected = tf.tidy(() => tf.mul(2, tf.matMul(tf.matMul(x, w, false, true), w))); // d/dx |x·Wᵀ|² = 2(x·Wᵀ)·W
    expect(tf.max(tf.abs(tf.sub(g, expected))).dataSync()[0]).toBeLessThan(1e-3);
    tf.dispose([w, x, g, expected]);
  });

  it('strings still clone (they live outside the heap)', () => {
    const s = tf.tensor(['a', 'b']);
    const c = tf.clone(s);
    s.dispose();
    expect(c.arraySync()).toEqual(['a', 'b']);
    c.dispose();
  });
});
