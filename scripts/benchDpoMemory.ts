/**
 * Peak memory (tf.profile's peakBytes above the weights) of one DPO step, chosen and rejected of
 * `--pairs` pairs through a LoRA model of a preset's shape, the reference pass included: by the full
 * [2B, T, V] logits (the path preference runs took before the chunked head, kept in src/testing/preferenceStep.ts) or from the hidden states through the chunked head (src/train/preferenceLoss.ts), with
 * or without gradient checkpointing; and the estimate shown before such a run. Prints one JSON line.
 *
 *   npx tsx scripts/benchDpoMemory.ts --preset smollm2-135m --layers 2 --pairs 2 --seq 128 --path chunked [--checkpointing]
 */
import '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_PREFERENCE_SETTINGS } from '../src/api/preferenceTypes.ts';
import { createRng } from '../src/data/rng.ts';
import { createLmLora } from '../src/lm/createLmLora.ts';
import { causalLmHidden, causalLmLogits, lmHeadOf } from '../src/models/hf/causalLmLogits.ts';
import { estimateLmTrainMemory } from '../src/models/hf/hfMemory.ts';
import { fullLogitsLogps } from '../src/testing/preferenceStep.ts';
import { tf, type Scalar, type Tensor2D } from '../src/tf.ts';
import { noGradient } from '../src/train/noGradient.ts';
import { preferenceBatchLoss, preferenceLogps, preferencePairLosses, type PreferenceLabels } from '../src/train/preferenceLoss.ts';
import { attentionPlan, presetConfig, PRESETS, randomLm, targetsPattern } from './benchModels.ts';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const base = PRESETS[opt('preset', 'smollm2-135m')]!;
const preset = { ...base, layers: Number(opt('layers', String(base.layers))) };
const pairs = Number(opt('pairs', '2'));
const seq = Number(opt('seq', '128'));
const path = opt('path', 'chunked');
const checkpointing = argv.includes('--checkpointing');

await tf.setBackend('wasm');
const lm = randomLm(presetConfig(preset), 1);
const lora = createLmLora(attentionPlan(lm, targetsPattern(preset.targets)), lm.modules, createRng(3));
const rng = createRng(5);
const n = 2 * pairs * seq;
const ids = tf.tensor2d(Int32Array.from({ length: n }, () => Math.floor(rng() * preset.vocab)), [2 * pairs, seq], 'int32') as Tensor2D;
// The second half of each row is the completion, as a prompt and an answer of equal length.
const batch: PreferenceLabels = {
  B: pairs,
  T: seq,
  labels: Int32Array.from({ length: n }, () => Math.floor(rng() * preset.vocab)),
  completion: Float32Array.from({ length: n }, (_, i) => (i % seq >= seq / 2 && i % seq < seq - 1 ? 1 : 0)),
  targets: Float32Array.from({ length: n }, (_, i) => (i % seq < seq - 1 ? 1 : 0)),
};
const lengths = Array.from({ length: 2 * pairs }, () => seq / 2 - 1);
const vars = [...lora.values()].flatMap((l) => [l.A, l.B]);
const s = DEFAULT_PREFERENCE_SETTINGS;
const before = tf.memory().numBytes;
const started = performance.now();
const info = await tf.profile(() => {
  const { value, grads } = tf.variableGrads(() => {
    if (path === 'full') {
      const reference = noGradient(() => fullLogitsLogps(causalLmLogits(lm, ids).logits, batch).logps);
      const policy = fullLogitsLogps(causalLmLogits(lm, ids, { lora, training: true, dropoutSeed: 1, recompute: checkpointing }).logits, batch).logps;
      return tf.mean(preferencePairLosses(policy, reference, lengths, s)) as Scalar;
    }
    const reference = noGradient(() => preferenceLogps(causalLmHidden(lm, ids, { recompute: true }).hidden, lmHeadOf(lm), batch, false).logps);
    const policy = preferenceLogps(causalLmHidden(lm, ids, { lora, training: true, dropoutSeed: 1, recompute: checkpointing }).hidden, lmHeadOf(lm), batch, false);
    return preferenceBatchLoss(preferencePairLosses(policy.logps, reference, lengths, s), policy.chosenNll, s);
  }, vars);
  tf.dispose([value, ...Object.values(grads)]);
});
const estimate = estimateLmTrainMemory(lm.config, { batch: pairs, seqLen: seq, totalParams: 0, trainableParams: 0, checkpointing, pairs: true });
console.log(
  JSON.stringify({
    preset: opt('preset', 'smollm2-135m'),
    layers: preset.layers,
    pairs,
    seq,
    path,
    checkpointing,
    peakBytesAboveWeights: info.peakBytes - before,
    estimateBytes: path === 'chunked' ? estimate.totalBytes : undefined,
    stepSeconds: Number(((performance.now() - started) / 1000).toFixed(2)),
  }),
);
