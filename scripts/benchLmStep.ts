/**
 * One process, one configuration: the LoRA step of a preset model (scripts/benchModels.ts) on one
 * backend, timed; prints one JSON line. A process of its own so that its peak resident memory is the
 * step's (the WASM heap never shrinks) and so that the WASM thread count can be set before the
 * backend starts. Run by scripts/benchCompare.ts (`npm run bench`) and scripts/gpu-check.sh:
 *
 *   npx tsx scripts/benchLmStep.ts --preset smollm2-135m --backend wasm --threads 1 --batch 4 --seq 128
 *
 * --layers N overrides the preset's layer count; --threads N runs WASM on N threads (default: every core,
 * as the command line does); --weight-storage float16 holds the frozen projections and vocabulary tables
 * as float16 (WebGPU only; default float32); --loss full takes the loss on the full [B*T, V] logits
 * (default chunked, as training does); --gemm off runs the products on XNNPACK after transposing (the
 * path before src/kernels/wasm/wasmGemm.ts); --recompute on|off|auto (gradient checkpointing, default as the
 * product decides); --pool-threads N sizes XNNPACK's pool apart from the GEMM's threads (default 1, as the
 * command line's language-model runs: src/cli/nodeEngine.ts);
 * --threads-only prints the WASM threads this runtime gives and exits; --profile adds
 * one step's time per kernel (tf.profile, products and transposes split by shape; --profile-shapes
 * Sum,Multiply splits those kernels too) and its sum: products, other kernels, time outside kernels.
 */
import { startBackend } from '../src/backend/startBackend.ts';
import { installDawnGpu } from '../src/cli/dawnGpu.ts';
import { useNodeWasmThreads } from '../src/cli/nodeWasmThreads.ts';
import { setWasmPoolThreads } from '../src/backend/wasmThreads.ts';
import { setWasmGemm, wasmGemmStatus } from '../src/kernels/wasm/gemmBatchMatMul.ts';
import { createRng } from '../src/data/rng.ts';
import { createLmLora } from '../src/lm/createLmLora.ts';
import { deviceLimits } from '../src/backend/deviceLimits.ts';
import { wasmHeapBytes } from '../src/backend/explainOutOfMemory.ts';
import { logicalSize } from '../src/kernels/halfMatMul.ts';
import { planLmMemory } from '../src/lm/lmMemoryPlan.ts';
import { causalLmLogits } from '../src/models/hf/causalLmLogits.ts';
import { causalLmLoss } from '../src/train/causalLmLoss.ts';
import { tf, type Scalar } from '../src/tf.ts';
import { kernelTable, kernelTimes } from './kernelProfile.ts';
import { attentionPlan, loraStepLoss, median, presetConfig, PRESETS, randomLm, targetsPattern } from './benchModels.ts';

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
const lossKind = opt('loss', 'chunked');
if (lossKind !== 'full' && lossKind !== 'chunked') throw new Error(`--loss ${lossKind}: use full or chunked`);

async function main(): Promise<void> {
  // TF.js' threaded SIMD build on the threads asked (src/backend/wasmThreads.ts); the count it really
  // runs is reported.
  if (backend === 'wasm') {
    useNodeWasmThreads(threads > 0 ? threads : undefined);
    setWasmPoolThreads(num('pool-threads', 1));
  }
  // --gemm off: every product on XNNPACK after transposing, as before src/kernels/wasm/wasmGemm.ts.
  if (opt('gemm', 'on') === 'off') setWasmGemm(false);
  if (backend === 'webgpu' && !(await installDawnGpu({ preferSwiftShader: process.env.TABTUNE_SWIFTSHADER === '1' }))) {
    console.log(JSON.stringify({ skipped: 'no Vulkan driver for Dawn (the webgpu package) here' }));
    process.exit(3);
  }
  const report = await startBackend(backend);
  const usedThreads = report.threads;
  if (argv.includes('--threads-only')) {
    // A probe (scripts/benchCompare.ts): how many threads this runtime gives, without the step.
    console.log(JSON.stringify({ engine: `tabtune ${report.name}`, threads: usedThreads, threadsNote: report.threadsNote }));
    process.exit(0);
  }
  const lm = randomLm(presetConfig(preset), 1, { float16: weightStorage === 'float16' });
  const lora = createLmLora(attentionPlan(lm, targetsPattern(preset.targets)), lm.modules, createRng(3));
  const vars = [...lora.values()].flatMap((ad) => [ad.A, ad.B]);
  const rng = createRng(5);
  const labels = Int32Array.from({ length: batch * seq }, () => Math.floor(rng() * preset.vocab));
  const ids = tf.tensor2d(labels, [batch, seq], 'int32');
  const optimizer: tf.Optimizer = tf.train.adam(1e-4);
  // Gradient checkpointing as the product decides it (src/lm/lmMemoryPlan.ts), or as --recompute says.
  const trainable = vars.reduce((p, v) => p + v.size, 0);
  const totalParams = [...lm.weights.values()].reduce((p, w) => p + w.size, 0) + trainable;
  const recomputeOpt = opt('recompute', 'auto');
  const memory = planLmMemory(lm.config, totalParams, { batch, maxLength: seq, trainableParams: trainable, ...(recomputeOpt === 'auto' ? {} : { gradientCheckpointing: recomputeOpt === 'on' }) }, report.name, deviceLimits());
  const recompute = memory.estimate.checkpointing;
  const step = async (): Promise<number> => {
    const t = performance.now();
    const loss = tf.tidy(() => {
      const loss = (): Scalar => (lossKind === 'chunked' ? loraStepLoss(lm, ids, labels, lora, recompute) : (causalLmLoss(causalLmLogits(lm, ids, { lora, training: true }).logits, labels).loss as Scalar));
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
  const waitedBefore = wasmGemmStatus(tf.backend())?.waitMs;
  for (let i = 0; i < steps; i++) times.push(await step());
  const waited = wasmGemmStatus(tf.backend())?.waitMs;
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
      trainable,
      gradientCheckpointing: recompute,
      // The estimate shown before a run (src/models/hf/hfMemory.ts) beside what the WASM heap grew to.
      estimatedBytes: memory.estimate.totalBytes,
      wasmHeapBytes: backend === 'wasm' ? (wasmHeapBytes() ?? undefined) : undefined,
      // The calling thread's wait for the GEMM's helpers per measured step (wake-up latency, uneven shares).
      gemmWaitMsPerStep: waited === undefined || waitedBefore === undefined ? undefined : (waited - waitedBefore) / steps,
    }),
  );
  if (argv.includes('--profile')) {
    // Time per kernel of one more step, products split by shape: which kernels take the step, at this thread count.
    const t = performance.now();
    const info = await tf.profile(() => step());
    const wall = performance.now() - t;
    const rows = await kernelTimes(info, wall, ['BatchMatMul', 'Transpose', ...opt('profile-shapes', '').split(',')]);
    console.log(kernelTable(rows, 40));
    // 'unnamed scope' is a custom gradient's op, whose inner kernels are counted on their own too.
    const named = rows.filter((r) => r.name !== 'unnamed scope');
    const products = named.filter((r) => r.name.startsWith('BatchMatMul')).reduce((s, r) => s + r.ms, 0);
    const others = named.filter((r) => !r.name.startsWith('BatchMatMul')).reduce((s, r) => s + r.ms, 0);
    console.log(`profiled step ${wall.toFixed(0)} ms: products ${products.toFixed(0)} ms, other kernels ${others.toFixed(0)} ms, outside kernels ${(wall - products - others).toFixed(0)} ms`);
  }
  process.exit(0); // Dawn keeps the process alive
}

await main();
