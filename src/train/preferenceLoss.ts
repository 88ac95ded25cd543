/**
 * The preference objectives, as TRL computes them:
 *   DPOTrainer._compute_loss (sigmoid, hinge, ipo, robust), CPOTrainer (simpo with cpo_alpha 0)
 *   and ORPOTrainer (orpo). Notation: πc, πr the policy's summed completion log-probabilities of
 *   the chosen and rejected answers, rc, rr the reference's, nc, nr their completion tokens,
 *   Δ = (πc - rc) - (πr - rr), ε the label smoothing.
 *
 *   sigmoid  -(1-ε)·logσ(βΔ) - ε·logσ(-βΔ)        (ε = 0: TRL 1.x's sigmoid; ε > 0: conservative DPO)
 *   hinge    relu(1 - βΔ)
 *   ipo      ((πc-rc)/nc - (πr-rr)/nr - 1/(2β))²  (TRL normalises IPO by completion length)
 *   robust   (-(1-ε)·logσ(βΔ) + ε·logσ(-βΔ)) / (1-2ε)
 *   simpo    z = β·(πc/nc - πr/nr) - γ;  -(1-ε)·logσ(z) - ε·logσ(-z)
 *   orpo     NLL(chosen, prompt and answer, token mean over the batch) - β·logσ(log_odds),
 *            log_odds = (ac - ar) - (log(1 - e^ac) - log(1 - e^ar)), a = π/n (mean log-probability)
 * The batch loss is the mean over pairs (plus ORPO's NLL).
 */
import type { PreferenceSettings } from '../api/preferenceTypes.ts';
import { tf, type Scalar, type Tensor, type Tensor1D } from '../tf.ts';

export interface PreferenceLogps {
  /** [2B] summed completion log-probabilities: chosen rows, then rejected. */
  logps: Tensor1D;
  /** ORPO only: mean negative log-likelihood over every real token of the chosen rows. */
  chosenNll: Scalar;
}

/**
 * logits [2B, T, V] -> summed log softmax at each completion label (TRL's selective_log_softmax
 * with the completion mask), and ORPO's chosen NLL. Differentiable; call inside tf.tidy.
 */
export function preferenceLogps(logits: Tensor, labels: Int32Array, completion: Float32Array, targets: Float32Array): PreferenceLogps {
  const [n, t, v] = logits.shape as [number, number, number];
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(tf.reshape(logits, [n * t, v])); // [2B*T, V]
    // int32 one-hot then a cast: the wasm backend's OneHot (4.22) writes zeros when asked for float32 directly.
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), v), 'float32'); // [2B*T, V]
    const picked = tf.reshape(tf.sum(tf.mul(logProbs, oneHot), -1), [n, t]); // [2B, T]
    const logps = tf.sum(tf.mul(picked, tf.tensor2d(completion, [n, t])), 1) as Tensor1D; // [2B]
    const half = (n / 2) * t;
    const chosenTargets = targets.subarray(0, half);
    let count = 0;
    for (const w of chosenTargets) count += w;
    const chosenPicked = tf.slice(picked, [0, 0], [n / 2, t]); // [B, T]
    const nll = tf.div(tf.neg(tf.sum(tf.mul(chosenPicked, tf.tensor2d(chosenTargets, [n / 2, t])))), Math.max(count, 1)) as Scalar;
    return { logps, chosenNll: nll };
  });
}

/**
 * log σ(z) = -softplus(-z). Not tf.logSigmoid: its customGrad keeps no reference to its input, so
 * inside a tf.tidy under the gradient tape the backward pass reads a disposed tensor.
 */
function logSigmoid(z: Tensor): Tensor {
  return tf.neg(tf.softplus(tf.neg(z)));
}

/** log(1 - e^x) for x < 0 (log-probabilities), kept finite at x = 0. */
function log1mexp(x: Tensor): Tensor {
  return tf.log(tf.neg(tf.expm1(tf.minimum(x, -1e-7))));
}

/**
 * Per-pair losses [B] from the policy's log-probabilities [2B], the reference's [2B] (ignored by
 * simpo and orpo) and the completion lengths (2B numbers). Differentiable in `policy`.
 */
export function preferencePairLosses(policy: Tensor1D, reference: Tensor1D | null, completionTokens: number[], s: PreferenceSettings): Tensor1D {
  return tf.tidy(() => {
    const [pc, pr] = tf.split(policy, 2) as [Tensor1D, Tensor1D]; // [B] each
    const lengths = tf.tensor1d(completionTokens.map((x) => Math.max(x, 1)));
    const [nc, nr] = tf.split(lengths, 2) as [Tensor1D, Tensor1D];
    const smoothed = (z: Tensor) => (s.labelSmoothing > 0 ? tf.sub(tf.mul(logSigmoid(z), -(1 - s.labelSmoothing)), tf.mul(logSigmoid(tf.neg(z)), s.labelSmoothing)) : tf.neg(logSigmoid(z)));
    if (s.loss === 'simpo') {
      const z = tf.sub(tf.mul(tf.sub(tf.div(pc, nc), tf.div(pr, nr)), s.beta), s.gamma); // [B]
      return smoothed(z) as Tensor1D;
    }
    if (s.loss === 'orpo') {
      const ac = tf.div(pc, nc);
      const ar = tf.div(pr, nr);
      const logOdds = tf.sub(tf.sub(ac, ar), tf.sub(log1mexp(ac), log1mexp(ar))); // [B]
      return tf.mul(logSigmoid(logOdds), -s.beta) as Tensor1D;
    }
    if (!reference) throw new Error(`preferencePairLosses: the ${s.loss} loss needs the reference log-probabilities.`);
    const [rc, rr] = tf.split(reference, 2) as [Tensor1D, Tensor1D];
    const chosenRatio = tf.sub(pc, rc);
    const rejectedRatio = tf.sub(pr, rr);
    const delta = tf.sub(chosenRatio, rejectedRatio); // [B]
    switch (s.loss) {
      case 'sigmoid':
        return smoothed(tf.mul(delta, s.beta)) as Tensor1D;
      case 'hinge':
        return tf.relu(tf.sub(1, tf.mul(delta, s.beta))) as Tensor1D;
      case 'ipo':
        return tf.square(tf.sub(tf.sub(tf.div(chosenRatio, nc), tf.div(rejectedRatio, nr)), 1 / (2 * s.beta))) as Tensor1D;
      case 'robust': {
        const z = tf.mul(delta, s.beta);
        const clean = tf.mul(logSigmoid(z), -(1 - s.labelSmoothing));
        const flipped = tf.mul(logSigmoid(tf.neg(z)), -s.labelSmoothing);
        return tf.div(tf.sub(clean, flipped), 1 - 2 * s.labelSmoothing) as Tensor1D;
      }
    }
    throw new Error(`preferencePairLosses: unknown loss ${String(s.loss)}.`);
  }) as Tensor1D;
}

/** The batch loss: the mean of the pair losses, plus ORPO's NLL on the chosen answers. */
export function preferenceBatchLoss(pairLosses: Tensor1D, chosenNll: Scalar, s: PreferenceSettings): Scalar {
  return tf.tidy(() => {
    const mean = tf.mean(pairLosses) as Scalar;
    return (s.loss === 'orpo' ? tf.add(mean, chosenNll) : mean) as Scalar;
  });
}
