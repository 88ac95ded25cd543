/**
 * Parity with TRL: fixtures/dpo/tiny-llama-reference.json holds, for the pairs of prefs.jsonl, the
 * summed completion log-probabilities of the tiny Llama with its PEFT adapter (policy) and without
 * it (reference), and the DPO loss and metrics TRL 1.13's formulas give (beta 0.1, float64).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCE_SETTINGS, type PreferenceEvaluation, type PreferenceSettings } from '../api/preferenceTypes.ts';
import { readPreferencePairs } from '../data/text/preferencePairs.ts';
import { tokenizePreferencePairs, type PreferenceExample } from '../data/text/tokenizePreferencePairs.ts';
import { disposeLora, fixtureBytes, fixtureLora, fixtureReader } from '../models/hf/hfTestFixtures.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf } from '../tf.ts';
import type { LmTokenizer } from '../tokenizers/lmTokenizer.ts';
import { loadTokenizer } from '../tokenizers/loadTokenizer.ts';
import { scorePreferences } from './preferenceScores.ts';

const DPO = new URL('../../fixtures/dpo/', import.meta.url);
const reference = JSON.parse(readFileSync(new URL('tiny-llama-reference.json', DPO), 'utf8')) as PreferenceEvaluation;
const prefsText = readFileSync(new URL('prefs.jsonl', DPO), 'utf8');
const text = (file: string) => new TextDecoder().decode(fixtureBytes('tiny-llama', `base/${file}`));

function tinyLlamaTokenizer(): LmTokenizer {
  return loadTokenizer(text('tokenizer.json'), text('tokenizer_config.json'), 'tiny-llama');
}

/** TRL's losses, written out in float64 from the reference's log-probabilities, for the other loss types. */
function expectedLoss(p: PreferenceEvaluation['pairs'][number], s: PreferenceSettings): number {
  const logsig = (z: number) => -Math.log1p(Math.exp(-z));
  const delta = p.policy_chosen_logps - p.ref_chosen_logps - (p.policy_rejected_logps - p.ref_rejected_logps);
  const eps = s.labelSmoothing;
  switch (s.loss) {
    case 'sigmoid':
      return -(1 - eps) * logsig(s.beta * delta) - eps * logsig(-s.beta * delta);
    case 'hinge':
      return Math.max(0, 1 - s.beta * delta);
    case 'ipo':
      return ((p.policy_chosen_logps - p.ref_chosen_logps) / p.chosen_tokens - (p.policy_rejected_logps - p.ref_rejected_logps) / p.rejected_tokens - 1 / (2 * s.beta)) ** 2;
    case 'robust':
      return (-(1 - eps) * logsig(s.beta * delta) + eps * logsig(-s.beta * delta)) / (1 - 2 * eps);
    case 'simpo': {
      const z = s.beta * (p.policy_chosen_logps / p.chosen_tokens - p.policy_rejected_logps / p.rejected_tokens) - s.gamma;
      return -(1 - eps) * logsig(z) - eps * logsig(-z);
    }
    case 'orpo': {
      const ac = p.policy_chosen_logps / p.chosen_tokens;
      const ar = p.policy_rejected_logps / p.rejected_tokens;
      const logOdds = ac - ar - (Math.log(-Math.expm1(ac)) - Math.log(-Math.expm1(ar)));
      return -s.beta * logsig(logOdds);
    }
  }
}

describe('preference scores against TRL (tiny Llama, CPU)', () => {
  let lm: HfCausalLm;
  let lora: LmLora;
  let examples: PreferenceExample[];
  const rows = [0, 1, 2, 3];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    lm = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama');
    lora = fixtureLora('tiny-llama');
    const pairs = readPreferencePairs('prefs.jsonl', prefsText).pairs;
    examples = tokenizePreferencePairs(pairs, tinyLlamaTokenizer(), { maxLength: 64, overLong: 'truncate' }).examples;
  });
  afterAll(() => {
    disposeHfCausalLm(lm);
    disposeLora(lora);
  });

  it('tokenizes prompt and completions as TRL does (EOS appended)', () => {
    expect(examples.map((e) => [e.promptLength, e.chosen.length - e.promptLength, e.rejected.length - e.promptLength])).toEqual(
      reference.pairs.map((p) => [p.prompt_tokens, p.chosen_tokens, p.rejected_tokens]),
    );
  });

  it('gives TRL log-probabilities, losses and metrics within 1e-4 (sigmoid, beta 0.1)', async () => {
    const s = { ...DEFAULT_PREFERENCE_SETTINGS };
    const ours = await expectNoTensorLeak(() => scorePreferences({ lm, lora }, { model: { lm } }, examples, rows, 0, 2, s));
    ours.pairs.forEach((p, i) => {
      const r = reference.pairs[i]!;
      for (const key of ['policy_chosen_logps', 'policy_rejected_logps', 'ref_chosen_logps', 'ref_rejected_logps', 'rewards_chosen', 'rewards_rejected', 'loss'] as const) {
        expect(Math.abs(p[key] - r[key]), `pair ${i} ${key}: ${p[key]} vs ${r[key]}`).toBeLessThan(1e-4);
      }
    });
    for (const [key, value] of Object.entries(reference.summary)) {
      if (key === 'beta') continue;
      expect(Math.abs(ours.summary[key as keyof typeof ours.summary] - value), key).toBeLessThan(1e-4);
    }
  });

  it.each<Partial<PreferenceSettings>>([
    { loss: 'sigmoid', labelSmoothing: 0.1 },
    { loss: 'hinge', beta: 0.05 },
    { loss: 'ipo', beta: 0.5 },
    { loss: 'robust', labelSmoothing: 0.2 },
    { loss: 'simpo', beta: 2, gamma: 0.5 },
    { loss: 'orpo', beta: 0.1 },
  ])('gives the %o loss as TRL writes it, from the same log-probabilities', async (extra) => {
    const s = { ...DEFAULT_PREFERENCE_SETTINGS, ...extra };
    const ours = await scorePreferences({ lm, lora }, { model: { lm } }, examples, rows, 0, 4, s);
    ours.pairs.forEach((p, i) => {
      const expected = expectedLoss({ ...reference.pairs[i]!, chosen_tokens: p.chosen_tokens, rejected_tokens: p.rejected_tokens }, s);
      expect(Math.abs(p.loss - expected), `pair ${i}: ${p.loss} vs ${expected}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected)));
    });
  });

  it('with the adapter at its start (B = 0) the loss is log 2 and the rewards are 0', async () => {
    const zero: LmLora = new Map([...lora].map(([path, ad]) => [path, { ...ad, B: tf.zerosLike(ad.B) as typeof ad.B }]));
    const ours = await scorePreferences({ lm, lora: zero }, { model: { lm } }, examples, rows, 0, 4, DEFAULT_PREFERENCE_SETTINGS);
    zero.forEach((ad) => ad.B.dispose());
    expect(Math.abs(ours.summary.loss - Math.LN2)).toBeLessThan(1e-6);
    expect(Math.abs(ours.summary['rewards/chosen'])).toBeLessThan(1e-6);
    expect(Math.abs(ours.summary['rewards/rejected'])).toBeLessThan(1e-6);
    expect(ours.summary['rewards/margins']).toBe(0);
  });
});
