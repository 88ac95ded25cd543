/**
 * Parity with TRL on real WebGPU (Dawn in Node; SwiftShader where no GPU exists): the summed
 * completion log-probabilities, losses and metrics of fixtures/dpo within 1e-3, chosen and
 * rejected of all four pairs in one padded batch.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCE_SETTINGS, type PreferenceEvaluation } from '../api/preferenceTypes.ts';
import { startBackend } from '../backend/startBackend.ts';
import { readPreferencePairs } from '../data/text/preferencePairs.ts';
import { tokenizePreferencePairs } from '../data/text/tokenizePreferencePairs.ts';
import { fixtureBytes, fixtureLora, fixtureReader } from '../models/hf/hfTestFixtures.ts';
import { loadHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { requireDawnGpu } from '../testing/requireDawnGpu.ts';
import { tf } from '../tf.ts';
import { loadTokenizer } from '../tokenizers/loadTokenizer.ts';
import { scorePreferences } from './preferenceScores.ts';

const DPO = new URL('../../fixtures/dpo/', import.meta.url);
const text = (file: string) => new TextDecoder().decode(fixtureBytes('tiny-llama', `base/${file}`));

describe('preference scores on WebGPU (Dawn)', () => {
  // Fails, with what to install, where Dawn has no Vulkan driver to run on.
  beforeAll(() => requireDawnGpu());
  afterAll(() => tf.disposeVariables());

  it('gives TRL log-probabilities, losses and metrics of fixtures/dpo within 1e-3', async () => {
    const report = await startBackend('webgpu');
    expect(report.name).toBe('webgpu');
    const reference = JSON.parse(readFileSync(new URL('tiny-llama-reference.json', DPO), 'utf8')) as PreferenceEvaluation;
    const pairs = readPreferencePairs('prefs.jsonl', readFileSync(new URL('prefs.jsonl', DPO), 'utf8')).pairs;
    const tokenizer = loadTokenizer(text('tokenizer.json'), text('tokenizer_config.json'), 'tiny-llama');
    const { examples } = tokenizePreferencePairs(pairs, tokenizer, { maxLength: 64, overLong: 'truncate' });
    const lm = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama');
    const lora = fixtureLora('tiny-llama');
    const ours = await scorePreferences({ lm, lora }, { model: { lm } }, examples, [0, 1, 2, 3], tokenizer.padId, 4, DEFAULT_PREFERENCE_SETTINGS);
    let max = 0;
    ours.pairs.forEach((p, i) => {
      const r = reference.pairs[i]!;
      for (const key of ['policy_chosen_logps', 'policy_rejected_logps', 'ref_chosen_logps', 'ref_rejected_logps', 'loss'] as const) max = Math.max(max, Math.abs(p[key] - r[key]));
    });
    for (const [key, value] of Object.entries(reference.summary)) if (key !== 'beta') max = Math.max(max, Math.abs(ours.summary[key as keyof typeof ours.summary] - value));
    console.log(`DPO on WebGPU: max |ours - TRL| over log-probabilities, losses and metrics ${max.toExponential(2)}`);
    expect(max).toBeLessThan(1e-3);
  });
});
