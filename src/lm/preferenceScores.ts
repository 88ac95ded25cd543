/**
 * Scoring preference pairs with a model: the policy's (and the reference's) summed completion
 * log-probabilities, each pair's loss, and TRL's metrics over them. Used by the validation pass of
 * a preference run, by `tabtune eval --task dpo`, and by Try it's log-probability gaps.
 */
import type { PreferenceEvaluation, PreferenceMetrics, PreferencePairScore, PreferenceSettings } from '../api/preferenceTypes.ts';
import { REFERENCE_LOSSES } from '../api/preferenceTypes.ts';
import { preferenceBatch } from '../data/text/preferenceBatch.ts';
import type { PreferenceExample } from '../data/text/tokenizePreferencePairs.ts';
import { causalLmHidden, lmHeadOf } from '../models/hf/causalLmLogits.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { tf, type Tensor2D } from '../tf.ts';
import { preferenceLogps, preferencePairLosses } from '../train/preferenceLoss.ts';

/** A model to score with: the weights (fully trained projections swapped in) and its adapter, if any. */
export interface ScoringModel {
  lm: HfCausalLm;
  lora?: LmLora;
}

/** Reference log-probabilities by example index: [chosen, rejected]. */
export type ReferenceLogps = Map<number, [number, number]>;

/** Summed completion log-probabilities of rows' chosen and rejected answers, in batches (no gradients kept). */
export async function completionLogps(model: ScoringModel, examples: PreferenceExample[], rows: number[], padId: number, batchSize: number): Promise<ReferenceLogps> {
  const out: ReferenceLogps = new Map();
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize);
    const logps = tf.tidy(() => {
      const b = preferenceBatch(examples, chunk, padId);
      const ids = tf.tensor2d(b.ids, [2 * b.B, b.T], 'int32') as Tensor2D;
      // recompute without a gradient tape: each block's intermediates are freed as it ends.
      const { hidden } = causalLmHidden(model.lm, ids, { attentionMask: tf.tensor2d(b.attention, [2 * b.B, b.T]) as Tensor2D, lora: model.lora, recompute: true }); // [2B*T, C]
      // The head a chunk of completion positions at a time: no [2B, T, V] logits.
      return preferenceLogps(hidden, lmHeadOf(model.lm), b, false).logps; // [2B]
    });
    const values = await logps.data();
    logps.dispose();
    chunk.forEach((r, i) => out.set(r, [values[i]!, values[chunk.length + i]!]));
  }
  return out;
}

/** Each pair's loss, rewards and log-probabilities (float64 from the float32 log-probabilities). */
export async function scorePairs(examples: PreferenceExample[], rows: number[], policy: ReferenceLogps, reference: ReferenceLogps | null, s: PreferenceSettings): Promise<PreferencePairScore[]> {
  const usesRef = REFERENCE_LOSSES.has(s.loss);
  const n = rows.length;
  const pol = new Float32Array(2 * n);
  const ref = new Float32Array(2 * n);
  const lengths: number[] = new Array<number>(2 * n);
  rows.forEach((r, i) => {
    const e = examples[r]!;
    [pol[i], pol[n + i]] = policy.get(r)!;
    if (usesRef) [ref[i], ref[n + i]] = reference!.get(r)!;
    lengths[i] = e.chosen.length - e.promptLength;
    lengths[n + i] = e.rejected.length - e.promptLength;
  });
  const lossT = tf.tidy(() => preferencePairLosses(tf.tensor1d(pol), usesRef ? tf.tensor1d(ref) : null, lengths, s));
  // Read asynchronously: a synchronous read fails on WebGPU in a worker.
  const losses = await lossT.data();
  lossT.dispose();
  return rows.map((r, i) => {
    const [pc, pr] = [pol[i]!, pol[n + i]!];
    const [rc, rr] = usesRef ? [ref[i]!, ref[n + i]!] : [Number.NaN, Number.NaN];
    const nc = Math.max(lengths[i]!, 1);
    const nr = Math.max(lengths[n + i]!, 1);
    // TRL: beta·(policy - reference) with a reference; CPO/ORPO: beta·(mean log-probability).
    const rewardsChosen = usesRef ? s.beta * (pc - rc) : (s.beta * pc) / nc;
    const rewardsRejected = usesRef ? s.beta * (pr - rr) : (s.beta * pr) / nr;
    return {
      line: examples[r]!.line,
      policy_chosen_logps: pc,
      policy_rejected_logps: pr,
      ref_chosen_logps: rc,
      ref_rejected_logps: rr,
      prompt_tokens: examples[r]!.promptLength,
      chosen_tokens: lengths[i]!,
      rejected_tokens: lengths[n + i]!,
      rewards_chosen: rewardsChosen,
      rewards_rejected: rewardsRejected,
      loss: losses[i]!,
    };
  });
}

/** TRL's metric names, averaged over the pairs. logps are summed (DPO) or per token (simpo, orpo), as TRL logs them. */
export function summarizePairs(pairs: PreferencePairScore[], s: PreferenceSettings, loss?: number): PreferenceMetrics {
  const mean = (f: (p: PreferencePairScore) => number) => (pairs.length === 0 ? Number.NaN : pairs.reduce((a, p) => a + f(p), 0) / pairs.length);
  const perToken = !REFERENCE_LOSSES.has(s.loss);
  return {
    loss: loss ?? mean((p) => p.loss),
    'rewards/chosen': mean((p) => p.rewards_chosen),
    'rewards/rejected': mean((p) => p.rewards_rejected),
    'rewards/accuracies': mean((p) => (p.rewards_chosen > p.rewards_rejected ? 1 : 0)),
    'rewards/margins': mean((p) => p.rewards_chosen - p.rewards_rejected),
    'logps/chosen': mean((p) => (perToken ? p.policy_chosen_logps / Math.max(p.chosen_tokens, 1) : p.policy_chosen_logps)),
    'logps/rejected': mean((p) => (perToken ? p.policy_rejected_logps / Math.max(p.rejected_tokens, 1) : p.policy_rejected_logps)),
  };
}

/** Scores rows with a policy against a reference (given, or computed with `referenceModel`). */
export async function scorePreferences(
  policy: ScoringModel,
  reference: { logps: ReferenceLogps } | { model: ScoringModel } | null,
  examples: PreferenceExample[],
  rows: number[],
  padId: number,
  batchSize: number,
  s: PreferenceSettings,
): Promise<PreferenceEvaluation> {
  const pol = await completionLogps(policy, examples, rows, padId, batchSize);
  const usesRef = REFERENCE_LOSSES.has(s.loss);
  const ref = !usesRef || !reference ? null : 'logps' in reference ? reference.logps : await completionLogps(reference.model, examples, rows, padId, batchSize);
  const pairs = await scorePairs(examples, rows, pol, ref, s);
  return { summary: summarizePairs(pairs, s), pairs };
}
