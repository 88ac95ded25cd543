/**
 * `npm run bench`: training-step benchmarks in Node, on WebGPU (Dawn; SwiftShader where there is no
 * GPU) and on WASM. Prints a table and writes bench-results/bench-<date>.json.
 *
 * Scenarios
 *   cnn     the built-in shapes CNN: full fine-tuning, head-only on uncached features (the frozen
 *           base runs every step) and head-only on cached features (the base ran once).
 *   gpt2    GPT-2-small shapes, random weights (seeded normal * 0.02): full, LoRA r=8 on the
 *   smollm2 attention projections (fused kernel on WebGPU, and the stock op sequence), head-only
 *           SmolLM2-135M shapes, likewise (lm_head untied so it can be trained alone).
 *   kernel  the fused LoRA projection against the stock op sequence on GPT-2 c_attn shapes
 *   matmul  (wasm) the matrix products of a SmolLM2-shaped step, TF.js' kernel and ours
 *           (forward + backward for x, A, B), WebGPU only.
 *
 * Options
 *   --full              real layer counts, widths and vocabularies (GPT-2 124M, SmolLM2 135M), seq 128
 *   --layers N --hidden N --vocab N --seq N --batch N   override the (small, default) LM shape
 *   --kernel-hidden N (768)  width for the kernel scenario (GPT-2 small's by default)
 *   --cnn-batch N (8)   images per CNN step (4 batches per epoch)
 *   --steps N (20) --warmup N (2)   measured steps (median) and warm-up steps after the first
 *   --backends webgpu,wasm  --scenarios cnn,gpt2,smollm2,kernel,matmul,compare,browser
 *   compare the SmolLM2-135M-shaped LoRA r=8 q,v step at batch 4 x 128 on WASM (1 thread, all cores) and
 *           in PyTorch + PEFT (1 thread, all cores; $PYTHON, default python3), side by side with ratios
 *           (scripts/benchCompare.ts; --compare-layers N --compare-steps N --compare-preset tiny to shorten it;
 *           --compare-rounds N runs the WASM side N times, alternating the thread counts, steps pooled)
 *   browser  (only when named) the same step in Chromium (the studio's WASM set-up in a worker, page
 *           cross-origin isolated) beside Node, 1 thread and all cores (scripts/benchBrowser.ts; the
 *           compare options apply)
 *   --modes full,lora,head   which LM modes to run (default all; lora-stock runs with lora on webgpu)
 *   --profile           after each LM LoRA row, time per kernel of one profiled step (tf.profile)
 *   --long              1,000 LoRA steps on gpt2: tensor count and GPU bytes must stay flat (not in CI)
 *   --threads N --pool-threads N   WASM threads for the scenarios other than compare (default 1), and
 *                       XNNPACK's pool apart from the GEMM's (default --threads)
 *   --out DIR           (bench-results)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { startBackend } from '../src/backend/startBackend.ts';
import { enableRelaxedSimd, useNodeWasmThreads } from '../src/cli/nodeWasmThreads.ts';
import { setWasmPoolThreads } from '../src/backend/wasmThreads.ts';
import { installDawnGpu } from '../src/cli/dawnGpu.ts';
import { createRng } from '../src/data/rng.ts';
import { fusedLoraLinear, fusedLoraLinearReference, setFusedLoraEnabled, type FusedLoraLinearArgs } from '../src/kernels/fusedLoraLinear.ts';
import { attentionPlan, gpt2Config, loraStepLoss, median, normal, randomLm, smolConfig, type LmShape } from './benchModels.ts';
import { createLmLora, disposeLmLora } from '../src/lm/createLmLora.ts';
import { causalLmLogits } from '../src/models/hf/causalLmLogits.ts';
import { LM_HEAD } from '../src/models/hf/hfLayout.ts';
import type { LmLora } from '../src/models/hf/hfTypes.ts';
import { kernelTable, kernelTimes } from './kernelProfile.ts';
import { benchWasmMatMul } from './benchWasmMatMul.ts';
import { browserLoraStep, browserReport } from './benchBrowser.ts';
import { compareLoraStep, compareReport, type CompareOptions, type CompareRow } from './benchCompare.ts';
import { createHead, disposeHead, headLogits } from '../src/train/head.ts';
import { causalLmLoss } from '../src/train/causalLmLoss.ts';
import { tf, type LayersModel, type Scalar, type Tensor, type Tensor2D, type Variable } from '../src/tf.ts';

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
function opt(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}
const num = (name: string, fallback: number): number => Number(opt(name, String(fallback)));

const FULL = flag('full');
const STEPS = num('steps', 20);
const WARMUP = num('warmup', 2);
const BACKENDS = opt('backends', 'webgpu,wasm').split(',') as ('webgpu' | 'wasm')[];
// browser only when asked: it builds a page and drives Chromium for minutes.
const SCENARIOS = opt('scenarios', 'cnn,gpt2,smollm2,kernel,matmul,compare').split(',');
const OUT = opt('out', 'bench-results');
const LONG = flag('long');
const PROFILE = flag('profile');
const MODES = opt('modes', 'full,lora,lora-stock,head').split(',');

/** Small enough for SwiftShader on 2 cores; --full gives the real models. */
const LM_SHAPE: LmShape = {
  layers: num('layers', FULL ? 0 : 1),
  hidden: num('hidden', FULL ? 0 : 128),
  vocab: num('vocab', FULL ? 0 : 2048),
  seq: num('seq', FULL ? 128 : 32),
  batch: num('batch', FULL ? 4 : 2),
};

// ---------------------------------------------------------------- measurement

interface Row {
  backend: string;
  scenario: string;
  mode: string;
  /** Median ms per step over the measured steps. */
  stepMs: number;
  firstStepMs: number;
  /** Tokens or images per second at the median step. */
  throughput: number;
  unit: 'tok/s' | 'img/s' | 'calls/s';
  /** Peak bytes of live tensors inside one step (tf.profile). */
  peakBytes: number;
  /** Bytes the WebGPU backend holds in GPU buffers after the run (its buffer pool included). */
  gpuBytes?: number;
  dispatchesPerStep?: number;
  steps: number;
  trainable: number;
}

let dispatches = 0;
function countDispatches(): void {
  if (tf.getBackend() !== 'webgpu') return;
  const backend = tf.backend() as WebGPUBackend & { __counted?: boolean };
  if (backend.__counted) return;
  const original = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (...args: Parameters<WebGPUBackend['runWebGPUProgram']>) => {
    dispatches++;
    return original(...args);
  };
  backend.__counted = true;
}

function gpuBytes(): number | undefined {
  const mem = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
  return mem.numBytesAllocatedInGPU;
}

/** Runs `step` (which must finish its work, e.g. by reading the loss) first, warm-up, then measured. */
async function measure(step: () => Promise<void>, profiled: () => Promise<void>): Promise<{ first: number; median: number; perStepDispatches: number; peakBytes: number }> {
  let t = performance.now();
  await step();
  const first = performance.now() - t;
  for (let i = 0; i < WARMUP; i++) await step();
  const times: number[] = [];
  const d0 = dispatches;
  for (let i = 0; i < STEPS; i++) {
    t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  const perStepDispatches = (dispatches - d0) / STEPS;
  const info = await tf.profile(async () => {
    await profiled();
  });
  return { first, median: median(times), perStepDispatches, peakBytes: info.peakBytes };
}

// ---------------------------------------------------------------- training step helpers

function adamStep(optimizer: tf.Optimizer, loss: () => Scalar, vars: Variable[]): Scalar {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, vars);
    optimizer.applyGradients(grads);
    return tf.keep(value);
  });
}

async function readAndDispose(t: Tensor): Promise<void> {
  await t.data();
  t.dispose();
}

// ---------------------------------------------------------------- transformers with random weights

async function benchLm(backend: string, name: 'gpt2' | 'smollm2', rows: Row[]): Promise<void> {
  const raw = name === 'gpt2' ? gpt2Config(LM_SHAPE) : smolConfig(LM_SHAPE);
  const lm = randomLm(raw, 1);
  const { batch, seq } = LM_SHAPE;
  const rng = createRng(5);
  const vocab = lm.config.vocabSize;
  const labels = Int32Array.from({ length: batch * seq }, () => Math.floor(rng() * vocab));
  const ids = tf.tensor2d(labels, [batch, seq], 'int32');
  const tokens = batch * seq;
  const modes = (['full', 'lora', 'lora-stock', 'head'] as const).filter((m) => MODES.includes(m) && (backend === 'webgpu' || m !== 'lora-stock'));
  for (const mode of modes) {
    let lora: LmLora | undefined;
    let vars: Variable[];
    // TF.js' WASM backend has no UnsortedSegmentSum, the gradient of the embedding gather: there,
    // full fine-tuning leaves the embeddings frozen (reported as such).
    const embeddingFrozen = mode === 'full' && backend === 'wasm';
    if (mode === 'full') vars = [...lm.weights.entries()].filter(([n]) => !(embeddingFrozen && /(wte|wpe|embed_tokens)\.weight$/.test(n))).map(([, v]) => v);
    else if (mode === 'head') vars = [lm.weights.get(LM_HEAD)!];
    else {
      lora = createLmLora(attentionPlan(lm), lm.modules, createRng(3));
      vars = [...lora.values()].flatMap((ad) => [ad.A, ad.B]);
    }
    // variableGrads refuses frozen variables: the loaded weights are frozen, so full and head modes unfreeze theirs.
    const unfrozen = lora ? [] : vars.filter((v) => !v.trainable);
    for (const v of unfrozen) v.trainable = true;
    setFusedLoraEnabled(mode !== 'lora-stock');
    const optimizer = tf.train.adam(1e-4);
    // LoRA steps take the product's loss path (hidden states, chunked cross-entropy); full and head
    // modes train lm_head, which the chunked loss does not, so they keep the loss on the logits.
    const loss = (): Scalar => (lora ? loraStepLoss(lm, ids, labels, lora) : (causalLmLoss(causalLmLogits(lm, ids, { lora, training: true }).logits, labels).loss as Scalar));
    const step = async (): Promise<void> => readAndDispose(adamStep(optimizer, loss, vars));
    const m = await measure(step, step);
    if (PROFILE && mode === 'lora') {
      const t = performance.now();
      const info = await tf.profile(step);
      const wall = performance.now() - t;
      console.log(`\n${backend} ${name} LoRA step, per kernel:\n${kernelTable(await kernelTimes(info, wall))}\n`);
      console.log(`${backend} ${name} LoRA step, matrix products by input shape:\n${kernelTable(await kernelTimes(info, wall, [tf.BatchMatMul]), 25)}\n`);
    }
    const trainable = vars.reduce((p, v) => p + v.size, 0);
    rows.push({ backend, scenario: name, mode: embeddingFrozen ? 'full (embeddings frozen)' : mode, stepMs: m.median, firstStepMs: m.first, throughput: (tokens * 1000) / m.median, unit: 'tok/s', peakBytes: m.peakBytes, gpuBytes: gpuBytes(), dispatchesPerStep: backend === 'webgpu' ? m.perStepDispatches : undefined, steps: STEPS, trainable });
    log(rows.at(-1)!);
    optimizer.dispose();
    for (const v of unfrozen) v.trainable = false;
    if (lora) disposeLmLora(lora);
  }
  setFusedLoraEnabled(true);
  ids.dispose();
  for (const w of lm.weights.values()) w.dispose();
}

/** --long: 1,000 LoRA steps; tensor count and GPU bytes sampled every 100 steps must not grow. */
async function longRun(backend: string): Promise<Record<string, unknown>> {
  const lm = randomLm(gpt2Config(LM_SHAPE), 1);
  const rng = createRng(5);
  const labels = Int32Array.from({ length: LM_SHAPE.batch * LM_SHAPE.seq }, () => Math.floor(rng() * lm.config.vocabSize));
  const ids = tf.tensor2d(labels, [LM_SHAPE.batch, LM_SHAPE.seq], 'int32');
  const lora = createLmLora(attentionPlan(lm), lm.modules, createRng(3));
  const vars = [...lora.values()].flatMap((ad) => [ad.A, ad.B]);
  const optimizer = tf.train.adam(1e-4);
  const samples: { step: number; tensors: number; bytes: number; gpuBytes?: number }[] = [];
  const total = num('long-steps', 1000);
  for (let i = 1; i <= total; i++) {
    await readAndDispose(adamStep(optimizer, () => loraStepLoss(lm, ids, labels, lora), vars));
    if (i % 100 === 0 || i === 10) {
      const mem = tf.memory();
      samples.push({ step: i, tensors: mem.numTensors, bytes: mem.numBytes, gpuBytes: gpuBytes() });
      console.log(`  long ${backend} step ${i}: ${mem.numTensors} tensors, ${mem.numBytes} bytes${gpuBytes() !== undefined ? `, GPU ${gpuBytes()}` : ''}`);
    }
  }
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const flat = last.tensors === first.tensors && last.bytes === first.bytes;
  optimizer.dispose();
  disposeLmLora(lora);
  ids.dispose();
  for (const w of lm.weights.values()) w.dispose();
  return { backend, steps: total, flat, samples };
}

// ---------------------------------------------------------------- the built-in CNN

async function loadCnn(): Promise<LayersModel> {
  const dir = 'public/models/shapes-cnn';
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const bin = readFileSync(join(dir, 'weights.bin'));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((m) => m.weights), weightData }));
}

async function benchCnn(backend: string, rows: Row[], ratios: Record<string, number>): Promise<void> {
  const model = await loadCnn();
  const batchSize = num('cnn-batch', 8);
  const images = batchSize * 4;
  const rng = createRng(9);
  const x = tf.tensor4d(Float32Array.from({ length: images * 32 * 32 * 3 }, () => rng()), [images, 32, 32, 3]);
  const y = tf.tensor1d(Int32Array.from({ length: images }, (_, i) => i % 8), 'int32');
  const batches = Array.from({ length: images / batchSize }, (_, b) => [x.slice(b * batchSize, batchSize), y.slice(b * batchSize, batchSize)] as [Tensor, Tensor]);
  const ce = (probs: Tensor, labels: Tensor): Scalar => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels as tf.Tensor1D, 8), tf.log(tf.add(probs, 1e-7))), -1))) as Scalar;

  // Full fine-tuning: every weight of the network trains.
  const vars = model.trainableWeights.map((w) => w.read() as Variable);
  const optimizer = tf.train.adam(1e-4);
  let b = 0;
  const fullStep = async (): Promise<void> => {
    const [bx, by] = batches[b++ % batches.length]!;
    await readAndDispose(adamStep(optimizer, () => ce(model.apply(bx, { training: true }) as Tensor, by), vars));
  };
  const full = await measure(fullStep, fullStep);
  rows.push({ backend, scenario: 'cnn', mode: 'full', stepMs: full.median, firstStepMs: full.first, throughput: (batchSize * 1000) / full.median, unit: 'img/s', peakBytes: full.peakBytes, gpuBytes: gpuBytes(), dispatchesPerStep: backend === 'webgpu' ? full.perStepDispatches : undefined, steps: STEPS, trainable: vars.reduce((p, v) => p + v.size, 0) });
  log(rows.at(-1)!);
  optimizer.dispose();

  // Head-only: a new 64 -> 8 head on the frozen embedding.
  const extractor = tf.model({ inputs: model.inputs, outputs: model.getLayer('embedding').output as tf.SymbolicTensor });
  const head = createHead(64, 8, createRng(2));
  const headVars = [head.kernel, head.bias];
  const headOpt = tf.train.adam(1e-3);
  const headLoss = (features: Tensor, labels: Tensor): Scalar => ce(tf.softmax(headLogits(head, features)), labels);
  b = 0;
  const uncachedStep = async (): Promise<void> => {
    const [bx, by] = batches[b++ % batches.length]!;
    await readAndDispose(adamStep(headOpt, () => headLoss(extractor.apply(bx, { training: false }) as Tensor, by), headVars));
  };
  const uncached = await measure(uncachedStep, uncachedStep);
  rows.push({ backend, scenario: 'cnn', mode: 'head (uncached)', stepMs: uncached.median, firstStepMs: uncached.first, throughput: (batchSize * 1000) / uncached.median, unit: 'img/s', peakBytes: uncached.peakBytes, gpuBytes: gpuBytes(), dispatchesPerStep: backend === 'webgpu' ? uncached.perStepDispatches : undefined, steps: STEPS, trainable: 64 * 8 + 8 });
  log(rows.at(-1)!);

  let t = performance.now();
  const cachedFeatures = batches.map(([bx]) => extractor.predict(bx) as Tensor);
  await Promise.all(cachedFeatures.map((f) => f.data()));
  const extractMs = performance.now() - t;
  b = 0;
  const cachedStep = async (): Promise<void> => {
    const i = b++ % batches.length;
    await readAndDispose(adamStep(headOpt, () => headLoss(cachedFeatures[i]!, batches[i]![1]), headVars));
  };
  const cached = await measure(cachedStep, cachedStep);
  rows.push({ backend, scenario: 'cnn', mode: 'head (cached)', stepMs: cached.median, firstStepMs: cached.first, throughput: (batchSize * 1000) / cached.median, unit: 'img/s', peakBytes: cached.peakBytes, gpuBytes: gpuBytes(), dispatchesPerStep: backend === 'webgpu' ? cached.perStepDispatches : undefined, steps: STEPS, trainable: 64 * 8 + 8 });
  log(rows.at(-1)!);
  // One epoch = images / batchSize steps; the cached epoch does not pay for extraction (done once, reported apart).
  t = batches.length;
  ratios[`${backend} cnn head cached epoch / uncached epoch`] = (cached.median * t) / (uncached.median * t);
  ratios[`${backend} cnn one-off feature extraction ms (${images} images)`] = extractMs;

  headOpt.dispose();
  disposeHead(head);
  tf.dispose([...cachedFeatures, x, y, ...batches.flat()]);
  model.dispose();
}

// ---------------------------------------------------------------- the fused kernel vs stock ops

async function benchKernel(rows: Row[]): Promise<void> {
  const hidden = num('kernel-hidden', 768);
  const n = LM_SHAPE.batch * LM_SHAPE.seq;
  const shapes = [
    { label: `c_attn ${hidden}->${3 * hidden}`, inF: hidden, outF: 3 * hidden },
    { label: `c_proj ${hidden}->${hidden}`, inF: hidden, outF: hidden },
  ];
  const rng = createRng(4);
  for (const s of shapes) {
    const args: FusedLoraLinearArgs = {
      x: tf.tensor2d(normal(rng, n * s.inF, 1), [n, s.inF]),
      w: tf.variable(tf.tensor2d(normal(rng, s.inF * s.outF, 0.02), [s.inF, s.outF]), false) as unknown as Tensor2D,
      bias: tf.variable(tf.zeros([s.outF]), false),
      a: tf.variable(tf.tensor2d(normal(rng, 8 * s.inF, 0.05), [8, s.inF])) as unknown as Tensor2D,
      b: tf.variable(tf.tensor2d(normal(rng, s.outF * 8, 0.05), [s.outF, 8])) as unknown as Tensor2D,
      scale: 2,
      transposeW: false,
    };
    const x = tf.variable(args.x); // so dx is computed too, as for every block after the first
    for (const [mode, f] of [
      ['fused', fusedLoraLinear],
      ['stock', fusedLoraLinearReference],
    ] as const) {
      const step = async (): Promise<void> => {
        const out = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => tf.sum(f({ ...args, x: x as unknown as Tensor2D })) as Scalar, [x, args.a as unknown as Variable, args.b as unknown as Variable]);
          return tf.keep(tf.addN([value, tf.sum(grads[x.name]!), tf.sum(grads[(args.a as unknown as Variable).name]!)]));
        });
        await readAndDispose(out);
      };
      const m = await measure(step, step);
      rows.push({ backend: 'webgpu', scenario: `kernel ${s.label}, N=${n}`, mode, stepMs: m.median, firstStepMs: m.first, throughput: 1000 / m.median, unit: 'calls/s', peakBytes: m.peakBytes, gpuBytes: gpuBytes(), dispatchesPerStep: m.perStepDispatches, steps: STEPS, trainable: 8 * (s.inF + s.outF) });
      log(rows.at(-1)!);
    }
    tf.dispose([x, args.x, args.w, args.bias!, args.a, args.b]);
  }
}

// ---------------------------------------------------------------- output

function fmtBytes(b: number | undefined): string {
  if (b === undefined) return '-';
  return b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`;
}

function log(r: Row): void {
  console.log(`  ${r.backend} ${r.scenario} ${r.mode}: ${r.stepMs.toFixed(1)} ms/step, first ${r.firstStepMs.toFixed(0)} ms${r.dispatchesPerStep !== undefined ? `, ${r.dispatchesPerStep} dispatches` : ''}`);
}

function table(rows: Row[]): string {
  const head = ['backend', 'scenario', 'mode', 'ms/step (median)', 'throughput', 'first step ms', 'first/steady', 'peak tensor bytes', 'GPU bytes held', 'dispatches/step'];
  const body = rows.map((r) => [
    r.backend,
    r.scenario,
    r.mode,
    r.stepMs.toFixed(1),
    `${r.throughput.toFixed(r.throughput < 10 ? 2 : 0)} ${r.unit}`,
    r.firstStepMs.toFixed(0),
    (r.firstStepMs / r.stepMs).toFixed(1),
    fmtBytes(r.peakBytes),
    fmtBytes(r.gpuBytes),
    r.dispatchesPerStep === undefined ? '-' : String(r.dispatchesPerStep),
  ]);
  return [head, head.map(() => '---'), ...body].map((cols) => `| ${cols.join(' | ')} |`).join('\n');
}

function addRatios(rows: Row[], ratios: Record<string, number>): void {
  const find = (backend: string, scenario: string, mode: string): Row | undefined => rows.find((r) => r.backend === backend && r.scenario === scenario && r.mode === mode);
  for (const backend of BACKENDS) {
    for (const scenario of ['gpt2', 'smollm2']) {
      const full = find(backend, scenario, 'full') ?? find(backend, scenario, 'full (embeddings frozen)');
      const lora = find(backend, scenario, 'lora');
      const stock = find(backend, scenario, 'lora-stock');
      if (full && lora) {
        ratios[`${backend} ${scenario} LoRA step / full step`] = lora.stepMs / full.stepMs;
        ratios[`${backend} ${scenario} LoRA peak / full peak`] = lora.peakBytes / full.peakBytes;
      }
      if (lora && stock) ratios[`${backend} ${scenario} LoRA fused step / stock step`] = lora.stepMs / stock.stepMs;
    }
  }
  for (const r of rows.filter((x) => x.scenario.startsWith('kernel') && x.mode === 'fused')) {
    const stock = find('webgpu', r.scenario, 'stock');
    if (stock) ratios[`${r.scenario}: fused / stock (target <= 0.75)`] = r.stepMs / stock.stepMs;
  }
}

// ---------------------------------------------------------------- main

function hasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((n) => n.startsWith('renderD'));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const ratios: Record<string, number> = {};
  const long: Record<string, unknown>[] = [];
  const adapters: Record<string, string> = {};
  let compared: { options: CompareOptions; rows: CompareRow[] } | undefined;
  let inBrowser: { options: CompareOptions; rows: CompareRow[] } | undefined;
  // Child processes and Chromium's workers, before this one starts a backend: each measures its own peak memory.
  const options: CompareOptions = { preset: opt('compare-preset', 'smollm2-135m'), layers: flag('compare-layers') ? num('compare-layers', 30) : undefined, batch: 4, seq: 128, steps: num('compare-steps', 3), rounds: num('compare-rounds', 1), warmup: 1, threads: [...new Set([1, (await import('node:os')).cpus().length])], device: 'cpu' };
  if (SCENARIOS.includes('compare') && !LONG) {
    compared = { options, rows: compareLoraStep(options) };
    console.log(`\n${compareReport(compared.rows, options)}\n`);
  }
  if (SCENARIOS.includes('browser') && !LONG) {
    inBrowser = { options, rows: await browserLoraStep(options) };
    console.log(`\n${browserReport(inBrowser.rows, options)}\n`);
  }
  enableRelaxedSimd(); // as the command line does (src/cli/nodeWasmThreads.ts): before any WASM module compiles
  // WASM's other scenarios run on one thread unless --threads N asks (--pool-threads N: XNNPACK's pool apart).
  if (flag('threads')) {
    useNodeWasmThreads(num('threads', 1));
    setWasmPoolThreads(num('pool-threads', 0) || undefined);
  }
  for (const backend of BACKENDS) {
    if (backend === 'webgpu' && !(await installDawnGpu({ preferSwiftShader: !hasGpuDevice() }))) {
      console.log('webgpu: no Vulkan driver for Dawn here; skipped.');
      continue;
    }
    const report = await startBackend(backend);
    adapters[backend] = report.adapter ? `${report.adapter.vendor} ${report.adapter.architecture} ${report.adapter.description}`.trim() : report.name;
    console.log(`${backend}: ${report.reason}`);
    countDispatches();
    if (LONG) {
      long.push(await longRun(backend));
      continue;
    }
    if (SCENARIOS.includes('cnn')) await benchCnn(backend, rows, ratios);
    if (SCENARIOS.includes('gpt2')) await benchLm(backend, 'gpt2', rows);
    if (SCENARIOS.includes('smollm2')) await benchLm(backend, 'smollm2', rows);
    if (backend === 'webgpu' && SCENARIOS.includes('kernel')) await benchKernel(rows);
    if (backend === 'wasm' && SCENARIOS.includes('matmul')) {
      const m = benchWasmMatMul(STEPS);
      console.log(`\nWASM matrix products of a SmolLM2-135M-shaped step, TF.js' kernel and ours (median of ${STEPS}):\n${m.table}\n`);
      Object.assign(ratios, m.ratios);
    }
  }
  addRatios(rows, ratios);
  const cpus = (await import('node:os')).cpus();
  const meta = { date: new Date().toISOString(), command: `npm run bench -- ${argv.join(' ')}`.trim(), lmShape: LM_SHAPE, full: FULL, steps: STEPS, warmup: WARMUP, adapters, cpu: `${cpus.length} x ${cpus[0]?.model ?? '?'}`, node: process.version };
  if (!LONG) {
    if (rows.length > 0) console.log(`\n${table(rows)}\n`);
    for (const [k, v] of Object.entries(ratios)) console.log(`${k}: ${v.toFixed(2)}`);
    if (compared) console.log(`\n${compareReport(compared.rows, compared.options)}`);
    if (inBrowser) console.log(`\n${browserReport(inBrowser.rows, inBrowser.options)}`);
  }
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `bench-${meta.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ meta, rows, ratios, long, compared, browser: inBrowser }, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
  // Dawn keeps the process alive; the results are written.
  process.exit(long.some((l) => l.flat === false) ? 1 : 0);
}

await main();
