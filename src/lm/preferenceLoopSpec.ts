/**
 * A preference objective as a training-loop task (train/trainLoop.ts runs it, as lmLoopSpec runs
 * the causal-LM loss): each micro-batch puts the chosen and rejected sequences of its pairs through
 * the policy in one batch [2B, T]; the reference's log-probabilities come from the precomputed
 * table, or from a forward pass of the same weights with the adapter disabled (or the starting
 * adapter's frozen copy), with no second copy of the base weights. TRL's metrics of every step are
 * read back once, while the next step runs; the validation pass scores the validation pairs.
 */
import type { LmTrainConfig, PreferenceSettings } from '../api.ts';
import { REFERENCE_LOSSES } from '../api/preferenceTypes.ts';
import { preferenceBatch } from '../data/text/preferenceBatch.ts';
import type { PreferenceExample } from '../data/text/tokenizePreferencePairs.ts';
import { causalLmHidden, lmHeadOf } from '../models/hf/causalLmLogits.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { tf, type Tensor, type Tensor1D, type Tensor2D } from '../tf.ts';
import type { AdamWParam } from '../train/adamw.ts';
import { preferenceBatchLoss, preferenceLogps, preferencePairLosses } from '../train/preferenceLoss.ts';
import { noGradient } from '../train/noGradient.ts';
import type { TrainLoopSpec } from '../train/trainLoop.ts';
import type { LmSamples } from './lmLoopSpec.ts';
import { scorePairs, scorePreferences, summarizePairs, type ReferenceLogps, type ScoringModel } from './preferenceScores.ts';

export interface PreferenceTask {
  /** The policy's weights (fully trained projections swapped in) and its trainable adapter. */
  policy: { lm: HfCausalLm; lora: LmLora };
  /** The reference: the base weights, with the starting adapter's frozen copy or none. */
  reference: ScoringModel;
  params: AdamWParam[];
  examples: PreferenceExample[];
  padId: number;
  /** Pair indices of the training and validation splits. */
  train: number[];
  validation: number[];
  /** Reference log-probabilities computed before the run: the validation pairs' always, every pair's with precomputeRef. */
  referenceLogps: ReferenceLogps;
  /** Gradient checkpointing per block (decided before the run from the memory estimate, as supervised runs). */
  recompute: boolean;
}

export interface PreferenceLoopSpec extends TrainLoopSpec<null> {
  /** Frees what a step kept for its metrics and was not read (a stopped or rolled-back step). */
  dispose(): void;
}

export function preferenceLoopSpec(task: PreferenceTask, config: LmTrainConfig, s: PreferenceSettings, samples?: LmSamples): PreferenceLoopSpec {
  const usesRef = REFERENCE_LOSSES.has(s.loss);
  /** What each micro-batch of the current step keeps for its metrics: rows and [policy 2B, reference 2B] log-probabilities. */
  let kept: { rows: number[]; logps: Tensor }[] = [];
  const clearKept = () => {
    for (const k of kept) k.logps.dispose();
    kept = [];
  };
  return {
    params: task.params,
    batches: { kind: 'steps', rows: task.train, steps: config.steps, gradAccumulation: config.gradAccumulation, evalEvery: config.evalEvery },
    batchLoss(rows, at) {
      if (at.micro === 0) clearKept();
      const b = preferenceBatch(task.examples, rows, task.padId);
      const ids = tf.tensor2d(b.ids, [2 * b.B, b.T], 'int32') as Tensor2D;
      const mask = tf.tensor2d(b.attention, [2 * b.B, b.T]) as Tensor2D;
      // Dropout is seeded by the step and micro-batch: a resumed run draws the same masks.
      const dropoutSeed = config.seed + at.step * 131 + at.micro;
      // The reference first, off the gradient tape and one block at a time (recompute without a tape):
      // its activations are gone before the policy's exist, so the step's peak is the policy's (hfMemory.ts).
      let reference: Tensor1D | null = null;
      if (usesRef) {
        const cached = rows.every((r) => task.referenceLogps.has(r));
        if (cached) {
          const values = [...rows.map((r) => task.referenceLogps.get(r)![0]), ...rows.map((r) => task.referenceLogps.get(r)![1])];
          reference = tf.tensor1d(values);
        } else {
          const ref = task.reference;
          reference = noGradient(() => preferenceLogps(causalLmHidden(ref.lm, ids, { attentionMask: mask, lora: ref.lora, recompute: true }).hidden, lmHeadOf(ref.lm), b, false).logps); // [2B]
        }
      }
      const { hidden } = causalLmHidden(task.policy.lm, ids, { attentionMask: mask, lora: task.policy.lora, training: true, dropoutSeed, recompute: task.recompute }); // [2B*T, C]
      // From the hidden states a chunk of positions at a time: no [2B, T, V] logits held.
      const { logps, chosenNll } = preferenceLogps(hidden, lmHeadOf(task.policy.lm), b, s.loss === 'orpo'); // [2B]
      const pairLosses = preferencePairLosses(logps, reference, b.completionTokens, s); // [B]
      kept.push({ rows, logps: tf.keep(tf.concat([logps, reference ?? tf.zerosLike(logps)])) }); // [4B]
      return preferenceBatchLoss(pairLosses, chosenNll, s);
    },
    countTokens(rows) {
      let tokens = 0;
      for (const r of rows) tokens += task.examples[r]!.chosen.length + task.examples[r]!.rejected.length;
      return tokens;
    },
    async stepMetrics() {
      // Taken now: the loop may run the next step's batchLoss (which clears `kept`) before these reads return.
      const taken = kept;
      kept = [];
      const reads = taken.map((k) => k.logps.data());
      const rows: number[] = [];
      const policy: ReferenceLogps = new Map();
      const reference: ReferenceLogps = new Map();
      try {
        for (const [j, k] of taken.entries()) {
          const v = await reads[j]!;
          const n = k.rows.length;
          k.rows.forEach((r, i) => {
            rows.push(r);
            policy.set(r, [v[i]!, v[n + i]!]);
            reference.set(r, [v[2 * n + i]!, v[3 * n + i]!]);
          });
        }
      } finally {
        for (const k of taken) k.logps.dispose();
      }
      // A row drawn twice in one step is scored once: metrics describe the pairs, the loss the batch.
      const unique = [...new Set(rows)];
      const summary = summarizePairs(await scorePairs(task.examples, unique, policy, usesRef ? reference : null, s), s);
      const { loss: _loss, ...rest } = summary;
      return rest;
    },
    async evaluate() {
      if (task.validation.length === 0) return { metrics: { validationLoss: Number.NaN, samples: (await samples?.()) ?? [] }, detail: null };
      const evaluation = await scorePreferences(task.policy, { logps: task.referenceLogps }, task.examples, task.validation, task.padId, config.batchSize, s);
      const { loss, ...rest } = evaluation.summary;
      return { metrics: { validationLoss: loss, metrics: rest, samples: (await samples?.()) ?? [] }, detail: null };
    },
    dispose: clearKept,
  };
}

