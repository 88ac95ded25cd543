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
import { setWasmGemm } from '../src/kernels/wasm/gemmBatchMatMul.ts';
import { tf } from '../src/tf.ts';
import { kernelTable, kernelTimes } from './kernelProfile.ts';
import { PRESETS } from './benchModels.ts';
import { lmStepRig, timeLmSteps, type LmStepOptions } from './lmStepTiming.ts';

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
const weightStorage = opt('weight-storage', 'float32') as 'float16' | 'float32';
if (weightStorage !== 'float16' && weightStorage !== 'float32') throw new Error(`--weight-storage ${weightStorage}: use float16 or float32`);
// full: the loss over [B*T, V] logits; chunked: as training computes it (lmLoopSpec.ts), no full logits held.
const lossKind = opt('loss', 'chunked') as 'full' | 'chunked';
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
  if (argv.includes('--threads-only')) {
    // A probe (scripts/benchCompare.ts): how many threads this runtime gives, without the step.
    console.log(JSON.stringify({ engine: `tabtune ${report.name}`, threads: report.threads, threadsNote: report.threadsNote }));
    process.exit(0);
  }
  const recomputeOpt = opt('recompute', 'auto');
  const options: LmStepOptions = { preset: presetName, layers: preset.layers, batch, seq, steps, warmup, weightStorage, loss: lossKind, ...(recomputeOpt === 'auto' ? {} : { recompute: recomputeOpt === 'on' }) };
  const rig = lmStepRig(options, report);
  const result = await timeLmSteps(options, report, rig);
  // maxRSS is KiB: the process's peak resident memory, weights included (as for PyTorch's column).
  console.log(JSON.stringify({ ...result, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
  if (argv.includes('--profile')) {
    // Time per kernel of one more step, products split by shape: which kernels take the step, at this thread count.
    const t = performance.now();
    const info = await tf.profile(() => rig.step());
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
