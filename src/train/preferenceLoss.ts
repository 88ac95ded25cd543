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
import type { PreferenceBatch } from '../data/text/preferenceBatch.ts';
import { chunkedTokenLogps } from '../lm/chunkedCrossEntropy.ts';
import type { LmHead } from '../models/hf/causalLmLogits.ts';
import { tf, type Scalar, type Tensor, type Tensor1D } from '../tf.ts';
import { IGNORE_INDEX } from './causalLmLoss.ts';

export interface PreferenceLogps {
  /** [2B] summed completion log-probabilities: chosen rows, then rejected. */
  logps: Tensor1D;
  /** ORPO only (0 otherwise): mean negative log-likelihood over every real token of the chosen rows. */
  chosenNll: Scalar;
}

/** preferenceLogps' inputs: a preference batch's label layout (data/text/preferenceBatch.ts). */
export type PreferenceLabels = Pick<PreferenceBatch, 'labels' | 'completion' | 'targets' | 'B' | 'T'>;

/**
 * hidden [2B*T, C] (the final hidden states of the chosen rows, then the rejected rows) and the
 * frozen head -> each sequence's summed log softmax at its completion labels (TRL's
 * selective_log_softmax with the completion mask) and, with `nll` (ORPO), the mean negative
 * log-likelihood over every real token of the chosen rows. The token log-probabilities come from
 * the chunked head (chunkedTokenLogps: no [2B, T, V] logits), only at the positions these need; a
 * masked per-sequence sum then gives the [2B] log-probabilities. Differentiable in `hidden`; call
 * inside tf.tidy.
 */
export function preferenceLogps(hidden: Tensor, head: LmHead, batch: PreferenceLabels, nll: boolean, chunk?: number): PreferenceLogps {
  const { B, T, completion, targets } = batch;
  const half = B * T;
  // Only completion tokens count, and the chosen rows' real tokens for ORPO's NLL: the others get no logits.
  const labels = Int32Array.from(batch.labels, (y, i) => (completion[i]! > 0 || (nll && i < half && targets[i]! > 0) ? y : IGNORE_INDEX));
  return tf.tidy(() => {
    const { logps: tokenLogps, positions } = chunkedTokenLogps(hidden, head, labels, chunk); // [M]
    const m = positions.length;
    // The masked sum per sequence as a [2B, M] matrix of completion weights (one matMul, on every backend).
    const perSequence = new Float32Array(2 * B * m);
    positions.forEach((p, j) => (perSequence[Math.floor(p / T) * m + j] = completion[p]!));
    const logps = tf.reshape(tf.matMul(tf.tensor2d(perSequence, [2 * B, m]), tf.reshape(tokenLogps, [m, 1])), [2 * B]) as Tensor1D; // [2B]
    if (!nll) return { logps, chosenNll: tf.scalar(0) };
    const chosen = Float32Array.from(positions, (p) => (p < half ? targets[p]! : 0)); // [M]
    const count = chosen.reduce((a, w) => a + w, 0);
    const chosenNll = tf.div(tf.neg(tf.sum(tf.mul(tokenLogps, tf.tensor1d(chosen)))), Math.max(count, 1)) as Scalar;
    return { logps, chosenNll };
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
