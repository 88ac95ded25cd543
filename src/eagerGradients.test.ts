import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from './data/rng.ts';
import { stockGradients } from './eagerGradients.ts';
import { tf, type Tensor } from './tf.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const engine = () => tf.engine() as unknown as { gradients: typeof tf.engine.prototype; stockGradients: unknown };

function random(shape: number[], seed: number): Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng() - 0.5), shape);
}

const UNIT = 64 * 32 * 4; // bytes of one [64, 32] activation

/**
 * tanh as a custom gradient that, like the blocks' norms and softmax (tf.customGrad), computes its
 * input gradient eagerly, with temporaries ([N, C] each) made inside the gradient function.
 */
const customTanh = tf.customGrad((z, save) => {
  const y = tf.tanh(z as Tensor);
  (save as tf.GradSaveFunc)([y]);
  return { value: y, gradFunc: (dy: Tensor, [y0]: Tensor[]) => tf.mul(dy, tf.sub(1, tf.square(y0!))) };
});

/**
 * A deep chain of ops that save what they read, as a transformer's blocks do: 24 tanh layers (every
 * other one a custom gradient), each in a tf.tidy as the blocks are. The first layer's gradient function records the bytes held by then: the
 * end of the backward pass, when TF.js' own pass holds every layer's saved tensors and gradients.
 */
function deepChain(x: Tensor, ws: Tensor[], held: { bytes: number }, base: number): Tensor {
  const probe = tf.customGrad((a, save) => {
    (save as tf.GradSaveFunc)([]);
    return { value: tf.mul(a as Tensor, 1), gradFunc: (dy: Tensor) => ((held.bytes = tf.memory().numBytes - base), [tf.mul(dy, 1)]) };
  });
  let h = probe(x) as Tensor;
  ws.forEach((w, i) => {
    const hIn = h;
    h = tf.tidy(() => (i % 2 ? tf.tanh(tf.matMul(hIn, w)) : (customTanh(tf.matMul(hIn, w)) as Tensor))); // [N, C]
  });
  return tf.mean(tf.square(h));
}

/** Grads of deepChain by one engine.gradients implementation, and the bytes held at its backward pass's end. */
async function run(gradients: (f: () => Tensor, xs: Tensor[]) => { value: Tensor; grads: Tensor[] }, x: Tensor, ws: Tensor[]) {
  const held = { bytes: 0 };
  const base = tf.memory().numBytes;
  const out = gradients(() => deepChain(x, ws, held, base), [x, ...ws]);
  const values = await Promise.all([out.value, ...out.grads].map((t) => t.data()));
  tf.dispose([out.value, ...out.grads]);
  return { values, held: held.bytes };
}

describe('installEagerGradients (src/tf.ts installs it on the shared engine)', () => {
  it('gives TF.js\' own gradients to the bit, and frees each layer\'s gradients and saved tensors as it goes', async () => {
    const x = random([64, 32], 1);
    const ws = Array.from({ length: 24 }, (_, i) => random([32, 32], 2 + i));
    const eager = await run((f, xs) => tf.engine().gradients(f, xs), x, ws);
    const stock = await run((f, xs) => stockGradients()(f, xs), x, ws);
    expect(eager.values.length).toBe(26);
    eager.values.forEach((v, i) => expect(Array.from(v), `output ${i}`).toEqual(Array.from(stock.values[i]!)));
    // By then both hold the 24 weights' gradients. TF.js' pass also holds all 24 layers' saved inputs
    // and outputs and their gradients (over 4 activations a layer); this one a few activations in all,
    // the custom gradients' temporaries included.
    const weightGrads = 24 * 32 * 32 * 4;
    expect(stock.held - weightGrads).toBeGreaterThan(24 * 4 * UNIT);
    expect(eager.held - weightGrads).toBeLessThan(4 * UNIT);
    tf.dispose([x, ...ws]);
  });

  it('leaks nothing, and leaves a caller\'s dy and a gradient function\'s own returned tensors intact', async () => {
    const x = random([8, 4], 3);
    const dy = random([8, 4], 4);
    // A gradient that hands back its dy as it is (the map must not free it twice) ...
    const passThrough = tf.customGrad((a, save) => {
      (save as tf.GradSaveFunc)([]);
      return { value: tf.mul(a as Tensor, 1), gradFunc: (g: Tensor) => [g] };
    });
    const tensors = tf.memory().numTensors;
    const { value, grads } = tf.engine().gradients(() => tf.sin(passThrough(tf.mul(x, 2)) as Tensor), [x], dy);
    const got = await grads[0]!.data();
    expect(dy.isDisposed).toBe(false);
    tf.dispose([value, ...grads]);
    expect(tf.memory().numTensors).toBe(tensors);
    // d/dx sin(2x) = 2 cos(2x), times dy.
    const expected = await tf.tidy(() => tf.mul(tf.mul(tf.cos(tf.mul(x, 2)), 2), dy)).data();
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 6));
    expect(engine().stockGradients).toBeDefined();
    tf.dispose([x, dy]);
  });
});
