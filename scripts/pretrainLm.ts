/**
 * Pretrains the built-in language model ("tiny-chat-lm") in Node and writes it to
 * public/models/tiny-chat-lm/ in Hugging Face format, as transformers' save_pretrained would:
 * config.json (LlamaForCausalLM), model.safetensors (F32), generation_config.json, tokenizer.json,
 * tokenizer_config.json (ChatML chat template) and a README.md model card.
 *
 *   npx tsx scripts/pretrainLm.ts                    # the real recipe: ~5 minutes on 2 cores (wasm)
 *   npx tsx scripts/pretrainLm.ts --quick            # a smoke run in seconds, into the OS temp dir
 *   npx tsx scripts/pretrainLm.ts --backend=cpu      # pure JS (slower)
 *
 * Everything is generated and seeded: the text (scripts/lmCorpus.ts), the byte-level BPE tokenizer
 * (scripts/trainBpe.ts, trained on that text) and the weights (normal(0, 0.02) as transformers
 * initialises a llama, norms at 1). All weights are trained with the causal-LM loss on packed blocks.
 * It also writes public/datasets/chat-sample.jsonl, the chat data that fine-tunes the model.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng, type Rng } from '../src/data/rng.ts';
import { causalLmLogits } from '../src/models/hf/causalLmLogits.ts';
import { parseHfConfig } from '../src/models/hf/hfConfig.ts';
import { expectedHfTensors, hfLinearModules } from '../src/models/hf/hfLayout.ts';
import type { HfCausalLm } from '../src/models/hf/hfTypes.ts';
import { loadHfCausalLm } from '../src/models/hf/loadHfCausalLm.ts';
import { saveHfSafetensors } from '../src/models/hf/saveHfSafetensors.ts';
import { tf, type Tensor, type Variable } from '../src/tf.ts';
import { DEFAULT_CHAT_TEMPLATE, loadTokenizer, type LmTokenizer } from '../src/tokenizers/index.ts';
import { causalLmLoss } from '../src/train/causalLmLoss.ts';
import { runTrainLoop } from '../src/train/trainLoop.ts';
import { CHAT_SAMPLE_PATH, chatMl, chatSampleJsonl, END_OF_TEXT, generateDocuments, IM_END, SPECIAL_TOKENS } from './lmCorpus.ts';
import { tokenizerConfigJson, tokenizerJson, trainBpe } from './trainBpe.ts';

export const MODEL_DIR = 'public/models/tiny-chat-lm';

const FULL = {
  seed: 20240717,
  /** Documents for the tokenizer and for the token stream the blocks are cut from. */
  documents: 60_000,
  vocabSize: 512,
  hiddenSize: 64,
  numLayers: 3,
  numHeads: 4,
  numKvHeads: 2,
  intermediateSize: 192,
  context: 128,
  /** Blocks of `context` tokens per step. */
  batchSize: 16,
  steps: 420,
  learningRate: 4e-3,
  warmupSteps: 30,
  minLrRatio: 0.1,
  weightDecay: 0.1,
  maxGradNorm: 1,
};
const QUICK: typeof FULL = { ...FULL, documents: 3000, numLayers: 2, batchSize: 4, steps: 20, warmupSteps: 5 };
export type LmRecipe = typeof FULL;

interface Args {
  quick: boolean;
  out: string;
  backend: 'wasm' | 'cpu';
  steps?: number;
}

function parseArgs(argv: string[]): Args {
  let out: string | undefined;
  const args: Args = { quick: false, out: '', backend: 'wasm' };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
    else if (arg.startsWith('--steps=')) args.steps = Number(arg.slice('--steps='.length));
    else if (arg === '--backend=cpu' || arg === '--backend=wasm') args.backend = arg.slice('--backend='.length) as Args['backend'];
    else throw new Error(`unknown argument ${arg} (expected --quick, --out=DIR, --steps=N, --backend=wasm|cpu)`);
  }
  // A smoke run must never overwrite the shipped model by accident.
  args.out = out ?? (args.quick ? join(tmpdir(), 'tiny-chat-lm-quick') : MODEL_DIR);
  return args;
}

/**
 * Makes TF.js' wasm backend (4.22) train this model, and fast, for this script's process only:
 * - UnsortedSegmentSum, which the gradient of gather needs (token embeddings), is missing: here a matMul
 *   with a one-hot of the segment ids, out[s] = Σ_i [ids[i] = s] x[i], fine for these sizes.
 * - BatchMatMul with transposeA/transposeB takes a slow loop (~7x slower than XNNPACK's plain product,
 *   and every backward matMul is transposed): transposed operands are transposed explicitly first.
 * - Unpack (the gradient of the stack that repeats grouped-query key/value heads) along an inner axis is
 *   slow: the axis is moved to the front (a fast transpose) and sliced off.
 */
export function registerFastWasmLmKernels(): void {
  if (tfjs.getKernel('UnsortedSegmentSum', 'wasm') === undefined) {
    tfjs.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs }) => {
        const { x, segmentIds } = inputs as unknown as { x: Tensor; segmentIds: Tensor };
        const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
        return tf.tidy(() => {
          const flat = tf.reshape(x, [x.shape[0]!, -1]); // [N, rest]
          // int32 then cast: wasm's OneHot writes zeros when asked for float32 directly.
          const oneHot = tf.cast(tf.oneHot(tf.cast(segmentIds, 'int32'), numSegments), 'float32'); // [N, S]
          return tf.reshape(tf.matMul(oneHot, flat, true, false), [numSegments, ...x.shape.slice(1)]); // [S, ...]
        });
      },
    });
  }
  replaceWasmKernel('BatchMatMul', (original) => (args) => {
    const { a, b } = args.inputs as unknown as { a: Tensor; b: Tensor };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original(args);
    const swap = (x: Tensor): Tensor => tf.transpose(x, [...x.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : 2 * all.length - 3 - i)));
    return tf.tidy(() => tf.matMul(transposeA ? swap(a) : a, transposeB ? swap(b) : b));
  });
  replaceWasmKernel('Unpack', (original) => (args) => {
    const { value } = args.inputs as unknown as { value: Tensor };
    const axis = (args.attrs as unknown as { axis: number }).axis;
    const rank = value.shape.length;
    const a = axis < 0 ? axis + rank : axis;
    if (a === 0) return original(args);
    const perm = [a, ...[...value.shape.keys()].filter((i) => i !== a)];
    const rest = value.shape.filter((_, i) => i !== a);
    return tf.tidy(() => {
      const front = tf.transpose(value, perm);
      return Array.from({ length: value.shape[a]! }, (_, i) => tf.reshape(tf.slice(front, [i, ...rest.map(() => 0)], [1, ...rest]), rest));
    }) as unknown as tfjs.TensorInfo[];
  });
}

type KernelFn = tfjs.KernelFunc;
const replaced = new Set<string>();

/** Swaps a wasm kernel for `wrap(original)`, once per process. */
function replaceWasmKernel(name: string, wrap: (original: KernelFn) => KernelFn): void {
  const config = tfjs.getKernel(name, 'wasm');
  if (!config || replaced.has(name)) return;
  replaced.add(name);
  tfjs.unregisterKernel(name, 'wasm');
  tfjs.registerKernel({ ...config, kernelFunc: wrap(config.kernelFunc) });
}

/** config.json exactly as transformers 5 writes a LlamaForCausalLM config (keys sorted). */
export function llamaConfigJson(r: LmRecipe, tokenizer: LmTokenizer): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: tokenizer.bosId,
    dtype: 'float32',
    eos_token_id: tokenizer.eosId,
    head_dim: r.hiddenSize / r.numHeads,
    hidden_act: 'silu',
    hidden_size: r.hiddenSize,
    initializer_range: 0.02,
    intermediate_size: r.intermediateSize,
    max_position_embeddings: r.context,
    mlp_bias: false,
    model_type: 'llama',
    num_attention_heads: r.numHeads,
    num_hidden_layers: r.numLayers,
    num_key_value_heads: r.numKvHeads,
    pad_token_id: tokenizer.padId,
    pretraining_tp: 1,
    rms_norm_eps: 1e-6,
    rope_parameters: { rope_theta: 10000.0, rope_type: 'default' },
    tie_word_embeddings: true,
    transformers_version: '5.18.0',
    use_cache: true,
    vocab_size: tokenizer.vocabSize,
  };
}

/** JSON as Python's json.dump(indent=2) writes these files: floats that are whole keep their ".0". */
export function pythonJson(value: unknown, floatKeys: readonly string[] = []): string {
  let text = JSON.stringify(value, null, 2);
  for (const key of floatKeys) text = text.replace(new RegExp(`("${key}": )(-?\\d+)(,?)$`, 'gm'), '$1$2.0$3');
  text = text.replace(/": 0\.000001(,?)$/gm, '": 1e-06$1'); // rms_norm_eps as Python prints it
  return `${text}\n`;
}

/** A standard normal from two uniforms (Box-Muller). */
function normal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A llama with freshly initialised, trainable weights: as transformers' LlamaPreTrainedModel._init_weights,
 * linear and embedding weights ~ normal(0, initializer_range), RMSNorm weights 1.
 */
export function initLlama(configJson: Record<string, unknown>, seed: number): HfCausalLm {
  const config = parseHfConfig(configJson);
  const std = Number(configJson.initializer_range ?? 0.02);
  const rng = createRng(seed);
  const weights = new Map<string, Variable>();
  for (const [name, shape] of expectedHfTensors(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (name.endsWith('norm.weight')) values.fill(1);
    else for (let i = 0; i < size; i++) values[i] = normal(rng) * std;
    weights.set(name, tf.variable(tf.tensor(values, shape), true, name));
  }
  return { config, weights, modules: hfLinearModules(config) };
}

/** Documents joined into one token stream, each followed by <|endoftext|>. */
export function tokenStream(tokenizer: LmTokenizer, documents: readonly string[]): Int32Array {
  const ids: number[] = [];
  for (const doc of documents) for (const id of tokenizer.encode(doc + END_OF_TEXT, { addSpecialTokens: false })) ids.push(id);
  return Int32Array.from(ids);
}

/** `rows` windows of `context + 1` tokens at the given offsets -> ids [rows, context] and shifted labels. */
export function blocks(stream: Int32Array, offsets: readonly number[], context: number): { ids: Int32Array; labels: Int32Array } {
  const ids = new Int32Array(offsets.length * context);
  const labels = new Int32Array(offsets.length * context);
  offsets.forEach((o, r) => {
    ids.set(stream.subarray(o, o + context), r * context);
    labels.set(stream.subarray(o + 1, o + context + 1), r * context); // labels[t] = ids[t + 1], as lmBatch
  });
  return { ids, labels };
}

/** Mean next-token loss over consecutive, non-overlapping blocks of `stream` (at most `maxBlocks`). */
export function streamLoss(lm: HfCausalLm, stream: Int32Array, context: number, maxBlocks: number): number {
  const offsets: number[] = [];
  for (let o = 0; o + context + 1 <= stream.length && offsets.length < maxBlocks; o += context) offsets.push(o);
  const { ids, labels } = blocks(stream, offsets, context);
  return tf.tidy(() => {
    const { logits } = causalLmLogits(lm, tf.tensor2d(ids, [offsets.length, context], 'int32'));
    return causalLmLoss(logits, labels).loss.dataSync()[0]!;
  });
}

/** Greedy decoding (no cache: the prompts are short): appends up to `maxNew` ids, stopping after a stop id. */
export function greedyGenerate(lm: HfCausalLm, prompt: readonly number[], maxNew: number, stopIds: readonly number[]): number[] {
  const ids = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < maxNew && ids.length < lm.config.maxPositions; i++) {
    const next = tf.tidy(() => {
      const { logits } = causalLmLogits(lm, tf.tensor2d(ids, [1, ids.length], 'int32'));
      const last = tf.slice(logits, [0, ids.length - 1, 0], [1, 1, lm.config.vocabSize]);
      return tf.argMax(tf.reshape(last, [-1])).dataSync()[0]!;
    });
    ids.push(next);
    out.push(next);
    if (stopIds.includes(next)) break;
  }
  return out;
}

/** Prompts the card and the run log show completions of. */
export const SAMPLE_PROMPTS = ['the red fox', 'three, four,', 'two plus five is', 'Q: where does the duck live?\nA:'];
export const SAMPLE_CHATS = ['what color is the frog?', 'How many legs does the bird have?', 'what is four plus four?'];

export function samplePrompts(tokenizer: LmTokenizer): { prompt: string; ids: number[]; chat: boolean }[] {
  return [
    ...SAMPLE_PROMPTS.map((prompt) => ({ prompt, chat: false })),
    ...SAMPLE_CHATS.map((q) => ({ prompt: tokenizer.applyChatTemplate([{ role: 'user', content: q }], { addGenerationPrompt: true }), chat: true })),
  ].map((p) => ({ ...p, ids: tokenizer.encode(p.prompt, { addSpecialTokens: false }) }));
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const recipe: LmRecipe = { ...(args.quick ? QUICK : FULL), ...(args.steps ? { steps: args.steps } : {}) };
  const started = performance.now();
  if (args.backend === 'wasm') registerFastWasmLmKernels();
  await tf.setBackend(args.backend);
  await tf.ready();
  console.log(`backend ${tf.getBackend()}, recipe ${JSON.stringify(recipe)}`);

  // Text and tokenizer. Held-out text comes from another seed.
  let t = performance.now();
  const documents = generateDocuments(recipe.seed + 1, recipe.documents);
  const bpe = trainBpe(documents, { vocabSize: recipe.vocabSize, specialTokens: SPECIAL_TOKENS });
  const tokenizerText = pythonJson(tokenizerJson(bpe));
  const tokenizerConfigText = pythonJson(
    tokenizerConfigJson(bpe, { bosToken: END_OF_TEXT, eosToken: END_OF_TEXT, padToken: END_OF_TEXT, chatTemplate: DEFAULT_CHAT_TEMPLATE, modelMaxLength: recipe.context }),
  );
  const tokenizer = loadTokenizer(tokenizerText, tokenizerConfigText, 'tiny-chat-lm');
  const stream = tokenStream(tokenizer, documents);
  const heldOut = tokenStream(tokenizer, generateDocuments(recipe.seed + 2, 400));
  console.log(`${documents.length} documents, ${stream.length} tokens (vocab ${tokenizer.vocabSize}, ${bpe.merges.length} merges) in ${seconds(t)}`);

  const configJson = llamaConfigJson(recipe, tokenizer);
  const lm = initLlama(configJson, recipe.seed + 3);
  const variables = [...lm.weights.values()];
  const params = variables.reduce((s, v) => s + v.size, 0);
  console.log(`model: llama, ${recipe.numLayers} layers, hidden ${recipe.hiddenSize}, ${params} parameters`);
  const initialLoss = streamLoss(lm, heldOut, recipe.context, 8);
  console.log(`held-out loss at init ${initialLoss.toFixed(4)} (ln vocab = ${Math.log(tokenizer.vocabSize).toFixed(4)})`);

  // The product's one training loop: random windows of the token stream (every start offset is a row,
  // drawn without replacement), AdamW with pre-training betas, cosine decay, global-norm clipping.
  // Biases and norm weights are exempt from weight decay, as in transformers' Trainer.
  const { context, batchSize } = recipe;
  const starts = Array.from({ length: stream.length - context - 1 }, (_, i) => i);
  t = performance.now();
  let smoothed = NaN;
  const lossLog: [number, number][] = [];
  const outcome = await runTrainLoop(
    {
      params: [...lm.weights].map(([name, variable]) => ({ variable, decay: !name.endsWith('norm.weight') })),
      adam: { beta1: 0.9, beta2: 0.95 },
      batches: { kind: 'steps', rows: starts, steps: recipe.steps, gradAccumulation: 1, evalEvery: 0 },
      batchLoss: (rows) => {
        const { ids, labels } = blocks(stream, rows, context);
        return causalLmLoss(causalLmLogits(lm, tf.tensor2d(ids, [rows.length, context], 'int32'), { training: true }).logits, labels).loss; // [B, T, V] -> []
      },
      evaluate: async () => ({ metrics: { validationLoss: streamLoss(lm, heldOut, context, 16) }, detail: null }),
    },
    {
      learningRate: recipe.learningRate,
      batchSize,
      weightDecay: recipe.weightDecay,
      seed: recipe.seed + 4,
      schedule: { kind: 'cosine', warmupSteps: recipe.warmupSteps, minLrRatio: recipe.minLrRatio },
      clipNorm: recipe.maxGradNorm,
    },
    {
      onStep: ({ step, loss, learningRate }) => {
        smoothed = Number.isNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
        if ((step - 1) % 25 === 0 || step === recipe.steps) {
          lossLog.push([step - 1, Math.round(smoothed * 1000) / 1000]);
          console.log(`step ${step - 1}/${recipe.steps}: loss ${loss.toFixed(4)} (smoothed ${smoothed.toFixed(4)}), lr ${learningRate.toExponential(2)} (${seconds(t)})`);
        }
      },
      onEval: () => {},
      shouldStop: () => false,
    },
  );
  const trainSeconds = (performance.now() - t) / 1000;
  // The loop's closing evaluation: the held-out loss after the last step.
  const finalLoss = outcome.evals.at(-1)!.validationLoss;
  console.log(`trained in ${trainSeconds.toFixed(1)} s; held-out loss ${finalLoss.toFixed(4)} (perplexity ${Math.exp(finalLoss).toFixed(2)})`);

  const stopIds = [tokenizer.eosId!, tokenizer.tokenToId(IM_END)!];
  const samples: { prompt: string; completion: string }[] = [];
  for (const { prompt, ids, chat } of samplePrompts(tokenizer)) {
    const completion = tokenizer.decode(greedyGenerate(lm, ids, chat ? 24 : 32, stopIds));
    samples.push({ prompt, completion });
    console.log(`greedy: ${JSON.stringify(prompt)} -> ${JSON.stringify(completion)}`);
  }

  await mkdir(args.out, { recursive: true });
  const files: Record<string, string | Uint8Array> = {
    'config.json': pythonJson(configJson, ['attention_dropout', 'rope_theta']),
    'generation_config.json': pythonJson({
      _from_model_config: true,
      bos_token_id: tokenizer.bosId,
      // Chats end with <|im_end|>, plain text with <|endoftext|>: stop on either.
      eos_token_id: stopIds,
      pad_token_id: tokenizer.padId,
      transformers_version: '5.18.0',
    }),
    'model.safetensors': await saveHfSafetensors(lm),
    'tokenizer.json': tokenizerText,
    'tokenizer_config.json': tokenizerConfigText,
  };
  for (const [name, content] of Object.entries(files)) await writeFile(join(args.out, name), content);

  // Check what was written, not what is in memory: reload and re-measure.
  const reloaded = await loadHfCausalLm(async (file) => {
    try {
      return new Uint8Array(readFileSync(join(args.out, file)));
    } catch {
      return null;
    }
  }, args.out);
  const reloadedLoss = streamLoss(reloaded, heldOut, context, 16);
  if (Math.abs(reloadedLoss - finalLoss) > 1e-4) throw new Error(`reloaded model disagrees: ${reloadedLoss} vs ${finalLoss}`);
  console.log(`reloaded from ${args.out}: held-out loss ${reloadedLoss.toFixed(4)}`);

  const card = modelCard(recipe, {
    params,
    backend: tf.getBackend(),
    trainSeconds,
    initialLoss,
    finalLoss,
    finalTrainLoss: smoothed,
    lossLog,
    samples,
    vocabSize: tokenizer.vocabSize,
    merges: bpe.merges.length,
    tokens: stream.length,
  });
  await writeFile(join(args.out, 'README.md'), card);
  if (!args.quick) {
    await writeFile(CHAT_SAMPLE_PATH, chatSampleJsonl());
    console.log(`wrote ${CHAT_SAMPLE_PATH}`);
  }
  const size = Object.keys(files)
    .concat('README.md')
    .reduce((s, f) => s + statSync(join(args.out, f)).size, 0);
  console.log(`wrote ${args.out} (${(size / 1024).toFixed(0)} KiB); total ${seconds(started)}`);
}

interface RunStats {
  params: number;
  backend: string;
  trainSeconds: number;
  initialLoss: number;
  finalLoss: number;
  finalTrainLoss: number;
  lossLog: [number, number][];
  samples: { prompt: string; completion: string }[];
  vocabSize: number;
  merges: number;
  tokens: number;
}

function modelCard(r: LmRecipe, s: RunStats): string {
  const fence = '```';
  const chatExample = chatMl([
    { role: 'user', content: 'what color is the fox?' },
    { role: 'assistant', content: 'The fox is red.' },
  ]);
  return `---
license: mit
library_name: transformers
pipeline_tag: text-generation
tags: [llama, tiny, synthetic, tabtune]
---

# tiny-chat-lm

A very small llama-architecture causal language model that ships with Tabtune, so the studio can
show language-model fine-tuning without downloading anything. **Its weights were randomly
initialised and trained only on text generated by a script** (\`scripts/lmCorpus.ts\`): simple
English about a tiny world of animals (each with one colour, home, sound and number of legs),
counting, sums, "Q: ... A: ..." pairs and ChatML chats. It knows nothing else.

- Architecture: \`LlamaForCausalLM\`, ${r.numLayers} layers, hidden ${r.hiddenSize}, ${r.numHeads} heads
  (${r.numKvHeads} key/value heads), head_dim ${r.hiddenSize / r.numHeads}, SwiGLU intermediate ${r.intermediateSize}, RMSNorm,
  rotary embeddings (theta 10000), context ${r.context}, tied input/output embeddings; ${s.params} parameters (F32).
- Tokenizer: byte-level BPE (GPT-2 pre-tokenizer), ${s.vocabSize} tokens = 3 special + 256 bytes + ${s.merges} merges,
  trained on the same generated text (\`scripts/trainBpe.ts\`). Special tokens: \`<|endoftext|>\` (id 0; BOS, EOS
  and padding), \`<|im_start|>\` (1), \`<|im_end|>\` (2).
- Chat template: ChatML, no system prompt required:

${fence}
${chatExample}${fence}

## Recipe

\`npm run pretrain-lm\` (\`scripts/pretrainLm.ts\`), TF.js ${tf.version_core} on the ${s.backend} backend, in Node:

| setting | value |
| --- | --- |
| seed | ${r.seed} |
| data | ${r.documents} generated documents, ${s.tokens} tokens, each document followed by \`<|endoftext|>\` |
| blocks | random windows of ${r.context} tokens from the packed stream, batch ${r.batchSize} |
| steps | ${r.steps} (${r.steps * r.batchSize * r.context} tokens seen) |
| optimizer | AdamW, lr ${r.learningRate}, betas (0.9, 0.95), weight decay ${r.weightDecay} (not on norms), grad-norm clip ${r.maxGradNorm} |
| schedule | ${r.warmupSteps} warm-up steps, cosine decay to ${r.minLrRatio} x lr |
| init | normal(0, 0.02) for linear and embedding weights, 1 for RMSNorm weights |
| loss | causal-LM cross-entropy on every next token (\`src/train/causalLmLoss.ts\`) |
| time | ${s.trainSeconds.toFixed(0)} s of training on the ${s.backend} backend |

Held-out loss (generated text from another seed): ${s.initialLoss.toFixed(3)} at init (ln ${s.vocabSize} = ${Math.log(s.vocabSize).toFixed(3)}),
**${s.finalLoss.toFixed(3)}** after training (perplexity ${Math.exp(s.finalLoss).toFixed(2)}); final smoothed training loss ${s.finalTrainLoss.toFixed(3)}.

Training loss (smoothed) by step: ${s.lossLog.map(([step, loss]) => `${step}: ${loss}`).join(', ')}.

## Greedy completions

${s.samples.map((x) => `- ${JSON.stringify(x.prompt)} -> ${JSON.stringify(x.completion)}`).join('\n')}

## Fine-tuning it

\`public/datasets/chat-sample.jsonl\` holds 200 chats with the same facts answered in a style the model has
never seen in a chat: "Arr! The fox is red, matey!" instead of "The fox is red." (a pirate says
"Arr!" and "matey" in the pretraining stories, so the words are known). Measured: LoRA r 8, alpha 16 on
all seven projections, lr 2e-3 (cosine, 6 warm-up steps), batch 4, 40 steps turns "The frog is green."
into "Arr! The frog is green, matey!"; with q_proj and v_proj only, 60 steps learn the "Arr!" but not yet
the whole answer.

## Limitations

It is a toy for demonstrating fine-tuning: it produces only the tiny world's sentences and makes up
facts about anything else.
`;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
