import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf } from '../tf.ts';
import { AdamW } from './adamw.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => tf.disposeVariables());

describe('AdamW', () => {
  it('matches the torch.optim.AdamW update derived by hand', () => {
    const w = tf.variable(tf.tensor1d([1, -2]), true, 'w_adamw_test');
    const opt = new AdamW([{ variable: w, decay: true }], { learningRate: 0.1, weightDecay: 0.5 });
    // Step 1, g = [0.2, -0.4]: m = 0.1 g, v = 0.001 g^2; bias-corrected m/sqrt(v) = sign(g).
    // w <- w (1 - 0.1*0.5) - 0.1 sign(g) = [1*0.95 - 0.1, -2*0.95 + 0.1] = [0.85, -1.8]
    tf.tidy(() => opt.apply({ w_adamw_test: tf.tensor1d([0.2, -0.4]) }));
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(0.85, 6), expect.closeTo(-1.8, 6)]);
    // Step 2, same g: the moments still give sign(g) after bias correction.
    tf.tidy(() => opt.apply({ w_adamw_test: tf.tensor1d([0.2, -0.4]) }));
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(0.85 * 0.95 - 0.1, 6), expect.closeTo(-1.8 * 0.95 + 0.1, 6)]);
    opt.dispose();
  });

  it('does not decay parameters marked decay: false, and leaks no tensors', async () => {
    const b = tf.variable(tf.tensor1d([1]), true, 'b_adamw_test');
    const opt = new AdamW([{ variable: b, decay: false }], { learningRate: 0.1, weightDecay: 0.5 });
    await expectNoTensorLeak(() => tf.tidy(() => opt.apply({ b_adamw_test: tf.tensor1d([0]) })));
    // g = 0 gives a zero Adam step; without decay the weight stays put.
    expect(b.dataSync()[0]).toBeCloseTo(1, 6);
    opt.dispose();
  });
});
