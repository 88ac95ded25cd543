/**
 * A language model as a training-loop task (train/trainLoop.ts runs it): optimizer steps of
 * gradAccumulation micro-batches drawn from the training rows, the causal-LM loss with LoRA (and
 * fully trained projections) in training mode, and a validation pass with a few greedy samples.
 */
import type { EvalPoint, LmTrainConfig } from '../api.ts';
import { causalLmHidden, lmHeadOf } from '../models/hf/causalLmLogits.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import type { AdamWParam } from '../train/adamw.ts';
import type { TrainLoopSpec } from '../train/trainLoop.ts';
import { chunkedCausalLmLoss } from './chunkedCrossEntropy.ts';
import { batchTensors, lmValidationLoss, type LmRows } from './lmValidation.ts';

export interface LmTask extends LmRows {
  lm: HfCausalLm;
  lora: LmLora;
  params: AdamWParam[];
  /** Example indices of the training and validation splits. */
  train: number[];
  validation: number[];
  /** Gradient checkpointing per block (decided before the run from the memory estimate). */
  recompute: boolean;
}

/** Sample generations with the weights as they are now (greedy, short). */
export type LmSamples = () => Promise<NonNullable<EvalPoint['samples']>>;

export function lmLoopSpec(task: LmTask, config: LmTrainConfig, samples?: LmSamples): TrainLoopSpec<null> {
  return {
    params: task.params,
    batches: { kind: 'steps', rows: task.train, steps: config.steps, gradAccumulation: config.gradAccumulation, evalEvery: config.evalEvery },
    batchLoss(rows, at) {
      const { ids, labels, mask } = batchTensors(task, rows);
      // Dropout is seeded by the step and micro-batch: a resumed run draws the same masks.
      const dropoutSeed = config.seed + at.step * 131 + at.micro;
      const { hidden } = causalLmHidden(task.lm, ids, { attentionMask: mask, lora: task.lora, training: true, dropoutSeed, recompute: task.recompute }); // [B*T, C]
      // The loss from the hidden states a chunk of positions at a time: no [B, T, V] logits held.
      return chunkedCausalLmLoss(hidden, lmHeadOf(task.lm), labels).loss;
    },
    countTokens(rows) {
      // As lmBatch's attention mask: every row cut to maxLength, padding left out.
      let tokens = 0;
      for (const r of rows) tokens += Math.min(task.examples[r]!.ids.length, task.maxLength);
      return tokens;
    },
    async evaluate() {
      const validationLoss = task.validation.length > 0 ? await lmValidationLoss(task.lm, task.lora, task, task.validation, config.batchSize) : Number.NaN;
      return { metrics: { validationLoss, samples: (await samples?.()) ?? [] }, detail: null };
    },
  };
}
