/**
 * One DPO training step on the tiny Llama of fixtures/hf-tiny with the pairs of fixtures/dpo, by the
 * full [2B, T, V] logits (the formula preference runs used before the chunked head, kept here as
 * the reference) or from the hidden states through the chunked head, with or without gradient
 * checkpointing: what preferenceLoss.test.ts and its WebGPU twin compare.
 */
import { readFileSync } from 'node:fs';
import type { PreferenceSettings } from '../api/preferenceTypes.ts';
import { preferenceBatch, type PreferenceBatch } from '../data/text/preferenceBatch.ts';
import { readPreferencePairs } from '../data/text/preferencePairs.ts';
import { tokenizePreferencePairs } from '../data/text/tokenizePreferencePairs.ts';
import { causalLmHidden, causalLmLogits, lmHeadOf } from '../models/hf/causalLmLogits.ts';
import { fixtureBytes } from '../models/hf/hfTestFixtures.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../tf.ts';
import { loadTokenizer } from '../tokenizers/loadTokenizer.ts';
import { noGradient } from '../train/noGradient.ts';
import { preferenceBatchLoss, preferenceLogps, preferencePairLosses, type PreferenceLabels } from '../train/preferenceLoss.ts';

/** All four pairs of fixtures/dpo/prefs.jsonl, tokenized as TRL does, in one batch [8, T]. */
export function dpoFixtureBatch(): PreferenceBatch {
  const text = (file: string) => new TextDecoder().decode(fixtureBytes('tiny-llama', `base/${file}`));
  const tokenizer = loadTokenizer(text('tokenizer.json'), text('tokenizer_config.json'), 'tiny-llama');
  const pairs = readPreferencePairs('prefs.jsonl', readFileSync(new URL('../../fixtures/dpo/prefs.jsonl', import.meta.url), 'utf8')).pairs;
  const { examples } = tokenizePreferencePairs(pairs, tokenizer, { maxLength: 64, overLong: 'truncate' });
  return preferenceBatch(examples, [0, 1, 2, 3], tokenizer.padId);
}

/** The full-logits formula: log softmax of [2B*T, V], a one-hot pick, masked sums per sequence (and ORPO's chosen NLL). */
export function fullLogitsLogps(logits: Tensor, b: PreferenceLabels): { logps: Tensor1D; chosenNll: Scalar } {
  const [n, t, v] = logits.shape as [number, number, number];
  const logProbs = tf.logSoftmax(tf.reshape(logits, [n * t, v])); // [2B*T, V]
  // int32 one-hot then a cast: the wasm backend's OneHot (4.22) writes zeros when asked for float32 directly.
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(b.labels, 'int32'), v), 'float32'); // [2B*T, V]
  const picked = tf.reshape(tf.sum(tf.mul(logProbs, oneHot), -1), [n, t]); // [2B, T]
  const logps = tf.sum(tf.mul(picked, tf.tensor2d(b.completion, [n, t])), 1) as Tensor1D; // [2B]
  const chosenTargets = b.targets.subarray(0, (n / 2) * t);
  const count = chosenTargets.reduce((a, w) => a + w, 0);
  const chosenNll = tf.div(tf.neg(tf.sum(tf.mul(tf.slice(picked, [0, 0], [n / 2, t]), tf.tensor2d(chosenTargets, [n / 2, t])))), count) as Scalar;
  return { logps, chosenNll };
}

export type PreferenceStepPath = 'full' | 'chunked' | 'recompute';

/** One step's loss, its LoRA gradients (in the adapter's order, A then B) and the [policy 2B, reference 2B] log-probabilities. */
export async function preferenceStep(lm: HfCausalLm, lora: LmLora, batch: PreferenceBatch, path: PreferenceStepPath, s: PreferenceSettings) {
  const vars = [...lora.values()].flatMap((l) => [l.A, l.B]);
  const rows = 2 * batch.B;
  const ids = tf.tensor2d(batch.ids, [rows, batch.T], 'int32') as Tensor2D;
  const attentionMask = tf.tensor2d(batch.attention, [rows, batch.T]) as Tensor2D;
  const kept: Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => {
    let policy: { logps: Tensor1D; chosenNll: Scalar };
    let reference: Tensor1D;
    if (path === 'full') {
      policy = fullLogitsLogps(causalLmLogits(lm, ids, { attentionMask, lora, training: true, dropoutSeed: 5 }).logits, batch);
      reference = fullLogitsLogps(causalLmLogits(lm, ids, { attentionMask }).logits, batch).logps;
    } else {
      const { hidden } = causalLmHidden(lm, ids, { attentionMask, lora, training: true, dropoutSeed: 5, recompute: path === 'recompute' });
      // A small chunk: the 4 pairs' completion tokens take several chunks.
      policy = preferenceLogps(hidden, lmHeadOf(lm), batch, s.loss === 'orpo', 7);
      reference = noGradient(() => preferenceLogps(causalLmHidden(lm, ids, { attentionMask, recompute: true }).hidden, lmHeadOf(lm), batch, false, 7).logps);
    }
    kept.push(tf.keep(tf.concat([policy.logps, reference])));
    return preferenceBatchLoss(preferencePairLosses(policy.logps, reference, batch.completionTokens, s), policy.chosenNll, s);
  }, vars);
  const out = {
    loss: (await value.data())[0]!,
    grads: await Promise.all(vars.map(async (v) => Float32Array.from(await grads[v.name]!.data()))),
    logps: Float32Array.from(await kept[0]!.data()),
  };
  tf.dispose([value, ids, attentionMask, ...Object.values(grads), ...kept]);
  return out;
}
