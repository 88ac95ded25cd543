/**
 * preferenceLogps from the final hidden states through the chunked head gives the same summed
 * completion log-probabilities, losses and LoRA gradients as the full [2B, T, V] logits did (the
 * formula it replaced, written out below), with and without gradient checkpointing, on CPU and
 * WASM; and TRL's numbers of fixtures/dpo (tiny Llama with its PEFT adapter).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_PREFERENCE_SETTINGS, type PreferenceEvaluation, type PreferenceSettings } from '../api/preferenceTypes.ts';
import { preferenceBatch, type PreferenceBatch } from '../data/text/preferenceBatch.ts';
import { readPreferencePairs } from '../data/text/preferencePairs.ts';
import { tokenizePreferencePairs } from '../data/text/tokenizePreferencePairs.ts';
import { causalLmHidden, causalLmLogits, lmHeadOf } from '../models/hf/causalLmLogits.ts';
import { disposeLora, fixtureBytes, fixtureLora, fixtureReader } from '../models/hf/hfTestFixtures.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../tf.ts';
import { loadTokenizer } from '../tokenizers/loadTokenizer.ts';
import { noGradient } from './noGradient.ts';
import { preferenceBatchLoss, preferenceLogps, preferencePairLosses } from './preferenceLoss.ts';

const DPO = new URL('../../fixtures/dpo/', import.meta.url);
const trl = JSON.parse(readFileSync(new URL('tiny-llama-reference.json', DPO), 'utf8')) as PreferenceEvaluation;
const text = (file: string) => new TextDecoder().decode(fixtureBytes('tiny-llama', `base/${file}`));

/** The full-logits formula preferenceLogps had before: log softmax of [2B*T, V], a one-hot pick, masked sums. */
function fullLogitsLogps(logits: Tensor, b: PreferenceBatch): { logps: Tensor1D; chosenNll: Scalar } {
  const [n, t, v] = logits.shape as [number, number, number];
  const logProbs = tf.logSoftmax(tf.reshape(logits, [n * t, v])); // [2B*T, V]
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(b.labels, 'int32'), v), 'float32'); // [2B*T, V]
  const picked = tf.reshape(tf.sum(tf.mul(logProbs, oneHot), -1), [n, t]); // [2B, T]
  const logps = tf.sum(tf.mul(picked, tf.tensor2d(b.completion, [n, t])), 1) as Tensor1D; // [2B]
  const chosenTargets = b.targets.subarray(0, (n / 2) * t);
  const count = chosenTargets.reduce((a, w) => a + w, 0);
  const chosenNll = tf.div(tf.neg(tf.sum(tf.mul(tf.slice(picked, [0, 0], [n / 2, t]), tf.tensor2d(chosenTargets, [n / 2, t])))), count) as Scalar;
  return { logps, chosenNll };
}

type Path = 'full' | 'chunked' | 'recompute';

describe.each(['cpu', 'wasm'])('preferenceLogps from hidden states on %s', (backend) => {
  let lm: HfCausalLm;
  let lora: LmLora;
  let batch: PreferenceBatch;

  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
    lm = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama');
    lora = fixtureLora('tiny-llama');
    const tokenizer = loadTokenizer(text('tokenizer.json'), text('tokenizer_config.json'), 'tiny-llama');
    const pairs = readPreferencePairs('prefs.jsonl', readFileSync(new URL('prefs.jsonl', DPO), 'utf8')).pairs;
    const { examples } = tokenizePreferencePairs(pairs, tokenizer, { maxLength: 64, overLong: 'truncate' });
    batch = preferenceBatch(examples, [0, 1, 2, 3], tokenizer.padId);
  });
  afterAll(async () => {
    disposeHfCausalLm(lm);
    disposeLora(lora);
    await tf.setBackend('cpu');
  });

  /** One training step's loss, its LoRA gradients and the policy's and reference's log-probabilities, by one path. */
  function step(path: Path, s: PreferenceSettings) {
    const vars = [...lora.values()].flatMap((l) => [l.A, l.B]);
    const ids = tf.tensor2d(batch.ids, [8, batch.T], 'int32') as Tensor2D;
    const attentionMask = tf.tensor2d(batch.attention, [8, batch.T]) as Tensor2D;
    const orpo = s.loss === 'orpo';
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
        policy = preferenceLogps(hidden, lmHeadOf(lm), batch, orpo, 7);
        reference = noGradient(() => preferenceLogps(causalLmHidden(lm, ids, { attentionMask }).hidden, lmHeadOf(lm), batch, false, 7).logps);
      }
      kept.push(tf.keep(tf.concat([policy.logps, reference])));
      return preferenceBatchLoss(preferencePairLosses(policy.logps, reference, batch.completionTokens, s), policy.chosenNll, s);
    }, vars);
    const out = {
      loss: value.dataSync()[0]!,
      grads: vars.map((v) => Float32Array.from(grads[v.name]!.dataSync())),
      logps: Float32Array.from(kept[0]!.dataSync()),
    };
    tf.dispose([value, ids, attentionMask, ...Object.values(grads), ...kept]);
    return out;
  }

  const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
  const maxAbs = (a: Float32Array): number => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

  it.each<Partial<PreferenceSettings>>([{ loss: 'sigmoid' }, { loss: 'ipo', beta: 0.5 }, { loss: 'orpo', beta: 0.1 }])(
    'gives the full-logits loss and LoRA gradients, with and without checkpointing (%o)',
    async (extra) => {
      const s = { ...DEFAULT_PREFERENCE_SETTINGS, ...extra };
      const full = step('full', s);
      for (const path of ['chunked', 'recompute'] as const) {
        const ours = await expectNoTensorLeak(() => step(path, s));
        expect(Math.abs(ours.loss - full.loss), `${path} loss ${ours.loss} vs ${full.loss}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(full.loss)));
        expect(maxDiff(ours.logps, full.logps), `${path} log-probabilities`).toBeLessThan(2e-4);
        ours.grads.forEach((g, i) => {
          const scale = maxAbs(full.grads[i]!);
          expect(scale).toBeGreaterThan(0); // a real gradient, not zeros
          expect(maxDiff(g, full.grads[i]!) / scale, `${path} gradient ${i}`).toBeLessThan(1e-4);
        });
      }
    },
  );

  it("gives TRL's summed log-probabilities of fixtures/dpo within 1e-4", () => {
    const ours = step('chunked', DEFAULT_PREFERENCE_SETTINGS);
    trl.pairs.forEach((p, i) => {
      expect(Math.abs(ours.logps[i]! - p.policy_chosen_logps), `pair ${i} policy chosen`).toBeLessThan(1e-4);
      expect(Math.abs(ours.logps[4 + i]! - p.policy_rejected_logps), `pair ${i} policy rejected`).toBeLessThan(1e-4);
      expect(Math.abs(ours.logps[8 + i]! - p.ref_chosen_logps), `pair ${i} reference chosen`).toBeLessThan(1e-4);
      expect(Math.abs(ours.logps[12 + i]! - p.ref_rejected_logps), `pair ${i} reference rejected`).toBeLessThan(1e-4);
    });
    expect(Math.abs(ours.loss - trl.summary.loss)).toBeLessThan(1e-4);
  });
});
