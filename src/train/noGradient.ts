/**
 * Runs `f` with the gradient tape off, as torch.no_grad: inside a tf.variableGrads (a training
 * step's loss) the ops of `f` are not recorded, so TF.js keeps none of their inputs for a backward
 * pass, and what `f` returns is a constant to the tape. A preference step's reference pass uses it:
 * its log-probabilities take no gradient, and its activations would otherwise stay alive until the
 * step's backward pass ends. TF.js 4.22 has no public switch for this; the engine records an op only
 * while state.gradientDepth > 0 (Engine.isTapeOn), so that depth is set to 0 and put back.
 */
import { tf } from '../tf.ts';

export function noGradient<T>(f: () => T): T {
  const state = tf.engine().state;
  const depth = state.gradientDepth;
  state.gradientDepth = 0;
  try {
    return f();
  } finally {
    state.gradientDepth = depth;
  }
}
