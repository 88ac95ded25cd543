/**
 * Checks the shipped built-in language model (public/models/tiny-chat-lm, written by
 * scripts/pretrainLm.ts) and the chat sample that fine-tunes it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseLmDataset } from '../src/data/text/parseLmDataset.ts';
import { parseHfConfig } from '../src/models/hf/hfConfig.ts';
import type { HfCausalLm } from '../src/models/hf/hfTypes.ts';
import { loadHfCausalLm } from '../src/models/hf/loadHfCausalLm.ts';
import { tf } from '../src/tf.ts';
import { loadTokenizer, type LmTokenizer } from '../src/tokenizers/index.ts';
import { CHAT_SAMPLE_PATH, chatSampleJsonl, END_OF_TEXT, generateDocuments, IM_END } from './lmCorpus.ts';
import { greedyGenerate, MODEL_DIR, registerFastWasmLmKernels, streamLoss, tokenStream } from './pretrainLm.ts';

const read = (file: string): string => readFileSync(join(MODEL_DIR, file), 'utf8');
let lm: HfCausalLm;
let tokenizer: LmTokenizer;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tokenizer = loadTokenizer(read('tokenizer.json'), read('tokenizer_config.json'), 'tiny-chat-lm');
  lm = await loadHfCausalLm(async (file) => {
    try {
      return new Uint8Array(readFileSync(join(MODEL_DIR, file)));
    } catch {
      return null;
    }
  }, 'tiny-chat-lm');
});

describe('tiny-chat-lm', () => {
  it('is a small Hugging Face llama folder whose config and tokenizer agree', () => {
    const files = readdirSync(MODEL_DIR).sort();
    expect(files).toEqual(['README.md', 'config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    expect(files.reduce((s, f) => s + statSync(join(MODEL_DIR, f)).size, 0)).toBeLessThan(2 * 1024 * 1024);
    const raw = JSON.parse(read('config.json')) as Record<string, unknown>;
    expect(raw).toMatchObject({ architectures: ['LlamaForCausalLM'], model_type: 'llama', rope_parameters: { rope_theta: 10000, rope_type: 'default' } });
    const config = parseHfConfig(raw);
    expect(config).toMatchObject({ architecture: 'llama', vocabSize: tokenizer.vocabSize, tieWordEmbeddings: true, maxPositions: 128 });
    expect(config.numKvHeads).toBeLessThan(config.numHeads); // grouped-query attention
    expect(lm.config.numLayers).toBe(config.numLayers);
    expect(lm.weights.has('lm_head.weight')).toBe(false);
    expect(config.eosTokenId).toBe(tokenizer.eosId);
    expect(tokenizer.eosId).toBe(tokenizer.tokenToId(END_OF_TEXT));
    expect(tokenizer.chatTemplateSource).toBe('tokenizer_config');
    const generation = JSON.parse(read('generation_config.json')) as { eos_token_id: number[] };
    expect(generation.eos_token_id).toEqual([tokenizer.eosId, tokenizer.tokenToId(IM_END)]);
  });

  it('has learned the generated text: held-out loss far below ln(vocab)', () => {
    const heldOut = tokenStream(tokenizer, generateDocuments(4242, 40));
    const loss = streamLoss(lm, heldOut, 128, 4);
    expect(loss).toBeLessThan(0.3 * Math.log(tokenizer.vocabSize));
  });

  it('continues a corpus prefix and answers a chat greedily', () => {
    const prefix = tokenizer.encode('the red fox', { addSpecialTokens: false });
    const stops = [tokenizer.eosId!, tokenizer.tokenToId(IM_END)!];
    const out = greedyGenerate(lm, prefix, 12, stops);
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((id) => Number.isInteger(id) && id >= 0 && id < tokenizer.vocabSize)).toBe(true);
    expect(tokenizer.decode(out).length).toBeGreaterThan(0);
    const chat = tokenizer.applyChatTemplate([{ role: 'user', content: 'what does the dog say?' }], { addGenerationPrompt: true });
    const answer = tokenizer.decode(greedyGenerate(lm, tokenizer.encode(chat, { addSpecialTokens: false }), 16, stops), { skipSpecialTokens: true });
    // Plain style (the pirate style is what fine-tuning on the chat sample adds).
    expect(answer).toMatch(/^The /);
    expect(answer).not.toMatch(/Arr/);
  });
});

describe('chat-sample.jsonl', () => {
  const text = readFileSync(CHAT_SAMPLE_PATH, 'utf8');

  it('is what scripts/lmCorpus.ts generates: 200 distinct chats answered pirate-style', () => {
    expect(text).toBe(chatSampleJsonl());
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(200);
    expect(new Set(lines).size).toBe(200);
    for (const line of lines) {
      const { messages } = JSON.parse(line) as { messages: { role: string; content: string }[] };
      for (const m of messages) {
        if (m.role === 'assistant') expect(m.content).toMatch(/^Arr! .*, matey!$/);
        expect(m.content).toMatch(/^[\x20-\x7e]+$/); // ASCII
      }
    }
  });

  it('parses as a chat dataset for the shipped tokenizer, training only the answers', () => {
    const dataset = parseLmDataset({ name: 'chat-sample.jsonl', text }, tokenizer, { maxLength: 128 });
    expect(dataset.format).toBe('chat');
    expect(dataset.examples).toHaveLength(200);
    expect(dataset.badLines).toBe(0);
    expect(dataset.truncated).toBe(0);
    expect(dataset.trainedTokens).toBeGreaterThan(0);
    expect(dataset.trainedTokens).toBeLessThan(dataset.totalTokens); // the questions and chat markup are not trained
  });
});

describe('registerFastWasmLmKernels', () => {
  it('gives the cpu backend results for transposed matMuls, inner-axis unstack and segment sums', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    registerFastWasmLmKernels();
    const run = (): number[][] =>
      tf.tidy(() => {
        const a = tf.tensor(Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)), [2, 3, 4]);
        const b = tf.tensor(Array.from({ length: 2 * 5 * 4 }, (_, i) => Math.cos(i)), [2, 5, 4]);
        const c = tf.tensor(Array.from({ length: 2 * 3 * 5 }, (_, i) => Math.sin(2 * i)), [2, 3, 5]);
        const x = tf.variable(tf.tensor(Array.from({ length: 4 * 3 }, (_, i) => i / 7), [4, 3]));
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.gather(x, tf.tensor1d([0, 2, 2, 3], 'int32')))), [x]);
        const out = [
          tf.matMul(a, b, false, true),
          tf.matMul(a, c, true, false),
          tf.matMul(b, c, true, true),
          ...tf.unstack(tf.reshape(b, [2, 5, 2, 2]), 2),
          grads[x.name]!,
        ].map((t) => Array.from(t.dataSync()));
        x.dispose();
        return out;
      });
    const expected = run();
    await tf.setBackend('wasm');
    expect(tfjs.getBackend()).toBe('wasm');
    const actual = run();
    await tf.setBackend('cpu');
    expect(actual.length).toBe(expected.length);
    actual.forEach((values, i) => values.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
  });
});
