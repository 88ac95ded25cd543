/**
 * One process, one configuration: the LoRA step of a preset model (scripts/benchModels.ts) on one
 * backend, timed; prints one JSON line. A process of its own so that its peak resident memory is the
 * step's (the WASM heap never shrinks) and so that the WASM thread count can be set before the
 * backend starts. Run by scripts/benchCompare.ts (`npm run bench`) and scripts/gpu-check.sh:
 *
 *   npx tsx scripts/benchLmStep.ts --preset smollm2-135m --backend wasm --threads 1 --batch 4 --seq 128
 *
 * --layers N overrides the preset's layer count; --weight-storage float16 holds the frozen projections
 * and vocabulary tables as float16 (WebGPU only; default float32); --loss chunked takes the loss as
 * training does (no [B*T, V] logits; default full); --threads-only prints the WASM threads this runtime gives
 * and exits.
 */
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { startBackend } from '../src/backend/startBackend.ts';
import { installDawnGpu } from '../src/cli/dawnGpu.ts';
import { createRng } from '../src/data/rng.ts';
import { createLmLora } from '../src/lm/createLmLora.ts';
import { logicalSize } from '../src/kernels/halfMatMul.ts';
import { chunkedCausalLmLoss } from '../src/lm/chunkedCrossEntropy.ts';
import { causalLmHidden, causalLmLogits, lmHeadOf } from '../src/models/hf/causalLmLogits.ts';
import { causalLmLoss } from '../src/train/causalLmLoss.ts';
import { tf, type Scalar } from '../src/tf.ts';
import { attentionPlan, presetConfig, PRESETS, randomLm, targetsPattern } from './benchModels.ts';

const argv = process.argv.slice(2);
function opt(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}
const num = (name: string, fallback: number): number => Number(opt(name, String(fallback)));

const presetName = opt('preset', 'smollm2-135m');
const base = PRESETS[presetName];
if (!base) throw new Error(`unknown --preset ${presetName}; one of ${Object.keys(PRESETS).join(', ')}`);
const preset = { ...base, layers: num('layers', base.layers) };
const backend = opt('backend', 'wasm') as 'wasm' | 'webgpu' | 'cpu';
const batch = num('batch', 4);
const seq = num('seq', 128);
const steps = num('steps', 5);
const warmup = num('warmup', 1);
const threads = num('threads', 0);
const weightStorage = opt('weight-storage', 'float32');
if (weightStorage !== 'float16' && weightStorage !== 'float32') throw new Error(`--weight-storage ${weightStorage}: use float16 or float32`);
// full: the loss over [B*T, V] logits; chunked: as training computes it (lmLoopSpec.ts), no full logits held.
const lossKind = opt('loss', 'full');
if (lossKind !== 'full' && lossKind !== 'chunked') throw new Error(`--loss ${lossKind}: use full or chunked`);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  // Node: TF.js 4.22 never starts the threaded WASM build (WASM_HAS_MULTITHREAD_SUPPORT is false
  // under Node, tfjs#3830), so --threads only matters in a browser; the count actually used is reported.
  if (backend === 'wasm' && threads > 0) setThreadsCount(threads);
  if (backend === 'webgpu' && !(await installDawnGpu({ preferSwiftShader: process.env.TABTUNE_SWIFTSHADER === '1' }))) {
    console.log(JSON.stringify({ skipped: 'no Vulkan driver for Dawn (the webgpu package) here' }));
    process.exit(3);
  }
  const report = await startBackend(backend);
  const usedThreads = backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : undefined;
  if (argv.includes('--threads-only')) {
    // A probe (scripts/benchCompare.ts): how many threads this runtime gives, without the step.
    console.log(JSON.stringify({ engine: `tabtune ${report.name}`, threads: usedThreads }));
    process.exit(0);
  }
  const lm = randomLm(presetConfig(preset), 1, { float16: weightStorage === 'float16' });
  const lora = createLmLora(attentionPlan(lm, targetsPattern(preset.targets)), lm.modules, createRng(3));
  const vars = [...lora.values()].flatMap((ad) => [ad.A, ad.B]);
  const rng = createRng(5);
  const labels = Int32Array.from({ length: batch * seq }, () => Math.floor(rng() * preset.vocab));
  const ids = tf.tensor2d(labels, [batch, seq], 'int32');
  const optimizer: tf.Optimizer = tf.train.adam(1e-4);
  const step = async (): Promise<number> => {
    const t = performance.now();
    const loss = tf.tidy(() => {
      const loss = (): Scalar =>
        (lossKind === 'chunked'
          ? chunkedCausalLmLoss(causalLmHidden(lm, ids, { lora, training: true }).hidden, lmHeadOf(lm), labels).loss
          : causalLmLoss(causalLmLogits(lm, ids, { lora, training: true }).logits, labels).loss) as Scalar;
      const { value, grads } = tf.variableGrads(loss, vars);
      optimizer.applyGradients(grads);
      return tf.keep(value);
    });
    await loss.data(); // the step is done when its loss is read
    loss.dispose();
    return performance.now() - t;
  };
  const first = await step();
  for (let i = 0; i < warmup; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) times.push(await step());
  const stepMs = median(times);
  const mem = tf.memory() as tf.MemoryInfo & { numBytesInGPUAllocated?: number; numBytesAllocatedInGPU?: number };
  // What the weights would take as float32, and what they hold (float16 storage: int32 words of two halves).
  const weightBytes = [...lm.weights.values()].reduce((p, w) => p + logicalSize(w) * 4, 0);
  const heldWeightBytes = [...lm.weights.values()].reduce((p, w) => p + w.size * 4, 0);
  console.log(
    JSON.stringify({
      engine: `tabtune ${report.name}`,
      adapter: report.adapter ? `${report.adapter.vendor} ${report.adapter.architecture} ${report.adapter.description}`.trim() : undefined,
      threads: usedThreads,
      preset: presetName,
      layers: preset.layers,
      batch,
      seq,
      stepMs,
      firstStepMs: first,
      stepsMs: times,
      tokensPerSecond: (batch * seq * 1000) / stepMs,
      // maxRSS is KiB: the process's peak resident memory, weights included (as for PyTorch's column).
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      gpuBytes: mem.numBytesAllocatedInGPU,
      float32WeightBytes: weightBytes,
      weightStorage,
      loss: lossKind,
      weightBytes: heldWeightBytes,
      gpuBytesOverFloat32Weights: mem.numBytesAllocatedInGPU === undefined ? undefined : mem.numBytesAllocatedInGPU / weightBytes,
      trainable: vars.reduce((p, v) => p + v.size, 0),
    }),
  );
  process.exit(0); // Dawn keeps the process alive
}

await main();
