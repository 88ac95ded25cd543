/**
 * Mean next-token loss over some rows, in batches, weighted by trained tokens (as the training loss
 * is): what "validation loss" means for a language model.
 */
import { lmBatch } from '../data/text/lmBatch.ts';
import type { LmExample } from '../data/text/lmTypes.ts';
import { causalLmHidden, lmHeadOf } from '../models/hf/causalLmLogits.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { tf, type Tensor2D } from '../tf.ts';
import { chunkedCausalLmLoss } from './chunkedCrossEntropy.ts';

export interface LmRows {
  examples: LmExample[];
  maxLength: number;
  padId: number;
}

/**
 * A batch as tensors: ids [B, T] int32 and mask [B, T]; the labels stay a typed array [B * T] (-100
 * ignored) because the loss needs them on the CPU anyway, and reading a tensor back synchronously
 * fails on WebGPU in a worker.
 */
export function batchTensors(data: LmRows, rows: number[]): { ids: Tensor2D; labels: Int32Array; mask: Tensor2D; tokens: number } {
  const b = lmBatch(data.examples, rows, data.maxLength, data.padId);
  let tokens = 0;
  for (const a of b.attention) tokens += a;
  return {
    ids: tf.tensor2d(b.ids, [b.B, b.T], 'int32'),
    labels: b.labels,
    mask: tf.tensor2d(Float32Array.from(b.attention), [b.B, b.T]),
    tokens,
  };
}

export async function lmValidationLoss(lm: HfCausalLm, lora: LmLora | undefined, data: LmRows, rows: number[], batchSize: number): Promise<number> {
  let sum = 0;
  let count = 0;
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize);
    const { lossT, targets } = tf.tidy(() => {
      const { ids, labels, mask } = batchTensors(data, chunk);
      const { hidden } = causalLmHidden(lm, ids, { attentionMask: mask, lora }); // [B*T, C]
      const { loss, tokens } = chunkedCausalLmLoss(hidden, lmHeadOf(lm), labels);
      return { lossT: loss.mul(tokens), targets: tokens };
    });
    sum += (await lossT.data())[0] ?? Number.NaN;
    lossT.dispose();
    count += targets;
  }
  return count > 0 ? sum / count : Number.NaN;
}
