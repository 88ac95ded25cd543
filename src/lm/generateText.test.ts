import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { causalLmLogits } from '../models/hf/causalLmLogits.ts';
import { fixtureReader } from '../models/hf/hfTestFixtures.ts';
import { loadHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf, type Tensor2D } from '../tf.ts';
import { loadTokenizer } from '../tokenizers/loadTokenizer.ts';
import { generateText } from './generateText.ts';

const dir = new URL('../../fixtures/hf-tiny/tiny-gpt2/base/', import.meta.url);
const tokenizer = loadTokenizer(readFileSync(new URL('tokenizer.json', dir), 'utf8'), readFileSync(new URL('tokenizer_config.json', dir), 'utf8'), 'tiny-gpt2');

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(process.env.TFB ?? 'cpu');
});

describe('generateText', () => {
  it('greedy decoding with the KV cache picks what a full forward pass picks, and frees every tensor', async () => {
    const lm = await loadHfCausalLm(fixtureReader('tiny-gpt2', 'base'), 'tiny-gpt2');
    const prompt = [1, 5, 9, 14];
    const pieces: string[] = [];
    const g = await expectNoTensorLeak(() => generateText(lm, tokenizer, prompt, { maxNewTokens: 12, temperature: 0, topK: 0, topP: 1, seed: 0, onText: (t) => pieces.push(t) }));
    expect(pieces.join('')).toBe(g.text);
    // The same tokens without a cache: argmax of the full forward pass, one token at a time.
    const ids = [...prompt];
    for (let i = 0; i < g.ids.length; i++) {
      const next = tf.tidy(() => tf.argMax(causalLmLogits(lm, tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32') as Tensor2D).logits.squeeze([0]), 1)); // [T]
      ids.push((await next.data()).at(-1)!);
      next.dispose();
    }
    expect(ids.slice(prompt.length)).toEqual(g.ids);
    expect(g.ids.length).toBeGreaterThan(0);
  });
});

describe('generateText on llama with LoRA', () => {
  it('frees every tensor', async () => {
    const { fixtureLora } = await import('../models/hf/hfTestFixtures.ts');
    const lm = await loadHfCausalLm(fixtureReader('tiny-llama', 'base'), 'tiny-llama');
    const lora = fixtureLora('tiny-llama');
    await expectNoTensorLeak(() => generateText(lm, tokenizer, [1, 5, 9], { maxNewTokens: 6, temperature: 0, topK: 0, topP: 1, seed: 0, lora }));
  });
});
