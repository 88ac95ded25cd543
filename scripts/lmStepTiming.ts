/**
 * The timed LoRA step of a preset model on the backend already started, with no Node or DOM API, so
 * that the same code is timed in Node (scripts/benchLmStep.ts) and in a Chromium worker
 * (scripts/browserBench/benchWorker.ts): a random model in Hugging Face layout, LoRA r=8 on the
 * preset's targets, Adam, the loss as training computes it (or on full logits).
 */
import type { BackendReport } from '../src/api/backendTypes.ts';
import { deviceLimits } from '../src/backend/deviceLimits.ts';
import { wasmHeapBytes } from '../src/backend/explainOutOfMemory.ts';
import { createRng } from '../src/data/rng.ts';
import { logicalSize } from '../src/kernels/halfMatMul.ts';
import { wasmGemmStatus } from '../src/kernels/wasm/gemmBatchMatMul.ts';
import { createLmLora } from '../src/lm/createLmLora.ts';
import { planLmMemory } from '../src/lm/lmMemoryPlan.ts';
import { causalLmLogits } from '../src/models/hf/causalLmLogits.ts';
import { gemmHelperReady } from '../src/testing/gemmHelperReady.ts';
import { causalLmLoss } from '../src/train/causalLmLoss.ts';
import { yieldToEventLoop } from '../src/train/yieldToEventLoop.ts';
import { tf, type Scalar } from '../src/tf.ts';
import { attentionPlan, loraStepLoss, median, presetConfig, PRESETS, randomLm, targetsPattern } from './benchModels.ts';

export interface LmStepOptions {
  preset: string;
  /** The preset's layer count unless given. */
  layers?: number;
  batch: number;
  seq: number;
  steps: number;
  warmup: number;
  weightStorage?: 'float16' | 'float32';
  /** chunked: as training computes it (no full logits held); full: over [B*T, V] logits. */
  loss?: 'full' | 'chunked';
  /** Gradient checkpointing; undefined: as the product decides (src/lm/lmMemoryPlan.ts). */
  recompute?: boolean;
}

/** What benchLmStep prints (its JSON line) and the browser bench posts back, less the process's own figures. */
export interface LmStepResult {
  engine: string;
  adapter?: string;
  threads?: number;
  threadsNote?: string;
  preset: string;
  layers: number;
  batch: number;
  seq: number;
  stepMs: number;
  firstStepMs: number;
  stepsMs: number[];
  tokensPerSecond: number;
  gpuBytes?: number;
  float32WeightBytes: number;
  weightStorage: string;
  loss: string;
  weightBytes: number;
  gpuBytesOverFloat32Weights?: number;
  trainable: number;
  gradientCheckpointing: boolean;
  estimatedBytes: number;
  wasmHeapBytes?: number;
  gemmWaitMsPerStep?: number;
  /** The GEMM's helper threads ready, and the products shared with them so far (0: all on one thread). */
  gemmHelpers?: number;
  sharedProducts?: number;
}

/** The model, the adapter and the step, ready to time (`step` resolves with its wall milliseconds). */
export function lmStepRig(o: LmStepOptions, report: BackendReport) {
  const base = PRESETS[o.preset];
  if (!base) throw new Error(`unknown preset ${o.preset}; one of ${Object.keys(PRESETS).join(', ')}`);
  const preset = { ...base, layers: o.layers ?? base.layers };
  const lm = randomLm(presetConfig(preset), 1, { float16: o.weightStorage === 'float16' });
  const lora = createLmLora(attentionPlan(lm, targetsPattern(preset.targets)), lm.modules, createRng(3));
  const vars = [...lora.values()].flatMap((ad) => [ad.A, ad.B]);
  const rng = createRng(5);
  const labels = Int32Array.from({ length: o.batch * o.seq }, () => Math.floor(rng() * preset.vocab));
  const ids = tf.tensor2d(labels, [o.batch, o.seq], 'int32'); // [B, T]
  const optimizer: tf.Optimizer = tf.train.adam(1e-4);
  const trainable = vars.reduce((p, v) => p + v.size, 0);
  const totalParams = [...lm.weights.values()].reduce((p, w) => p + w.size, 0) + trainable;
  const memory = planLmMemory(lm.config, totalParams, { batch: o.batch, maxLength: o.seq, trainableParams: trainable, ...(o.recompute === undefined ? {} : { gradientCheckpointing: o.recompute }) }, report.name, deviceLimits());
  const recompute = memory.estimate.checkpointing;
  const chunked = (o.loss ?? 'chunked') === 'chunked';
  const step = async (): Promise<number> => {
    const t = performance.now();
    const loss = tf.tidy(() => {
      const loss = (): Scalar => (chunked ? loraStepLoss(lm, ids, labels, lora, recompute) : (causalLmLoss(causalLmLogits(lm, ids, { lora, training: true }).logits, labels).loss as Scalar));
      const { value, grads } = tf.variableGrads(loss, vars);
      optimizer.applyGradients(grads);
      return tf.keep(value);
    });
    await loss.data(); // the step is done when its loss is read
    loss.dispose();
    const ms = performance.now() - t;
    // As the studio's loop does between steps (src/train/yieldToEventLoop.ts); in a browser worker,
    // a WASM readback resolves as a microtask and the worker's own tasks would otherwise never run.
    await yieldToEventLoop();
    return ms;
  };
  return { lm, preset, step, trainable, recompute, estimatedBytes: memory.estimate.totalBytes };
}

/** Times `warmup` + `steps` steps after a first one; the median is the figure. */
export async function timeLmSteps(o: LmStepOptions, report: BackendReport, rig = lmStepRig(o, report)): Promise<LmStepResult> {
  const { lm, preset, step } = rig;
  // In a browser, a worker that a worker starts loads only once its parent's event loop turns: the
  // studio's worker waits for the page between loading and training, the bench waits here.
  if (report.name === 'wasm' && (report.threads ?? 1) > 1) await gemmHelperReady();
  const firstStepMs = await step();
  for (let i = 0; i < o.warmup; i++) await step();
  const stepsMs: number[] = [];
  const waitedBefore = wasmGemmStatus(tf.backend())?.waitMs;
  for (let i = 0; i < o.steps; i++) stepsMs.push(await step());
  const gemm = wasmGemmStatus(tf.backend());
  const waited = gemm?.waitMs;
  const stepMs = median(stepsMs);
  const mem = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
  // What the weights would take as float32, and what they hold (float16 storage: int32 words of two halves).
  const float32WeightBytes = [...lm.weights.values()].reduce((p, w) => p + logicalSize(w) * 4, 0);
  const weightBytes = [...lm.weights.values()].reduce((p, w) => p + w.size * 4, 0);
  return {
    engine: `tabtune ${report.name}`,
    adapter: report.adapter ? `${report.adapter.vendor} ${report.adapter.architecture} ${report.adapter.description}`.trim() : undefined,
    threads: report.threads,
    threadsNote: report.threadsNote,
    preset: o.preset,
    layers: preset.layers,
    batch: o.batch,
    seq: o.seq,
    stepMs,
    firstStepMs,
    stepsMs,
    tokensPerSecond: (o.batch * o.seq * 1000) / stepMs,
    gpuBytes: mem.numBytesAllocatedInGPU,
    float32WeightBytes,
    weightStorage: o.weightStorage ?? 'float32',
    loss: o.loss ?? 'chunked',
    weightBytes,
    gpuBytesOverFloat32Weights: mem.numBytesAllocatedInGPU === undefined ? undefined : mem.numBytesAllocatedInGPU / float32WeightBytes,
    trainable: rig.trainable,
    gradientCheckpointing: rig.recompute,
    // The estimate shown before a run (src/models/hf/hfMemory.ts) beside what the WASM heap grew to.
    estimatedBytes: rig.estimatedBytes,
    wasmHeapBytes: report.name === 'wasm' ? (wasmHeapBytes() ?? undefined) : undefined,
    // The calling thread's wait for the GEMM's helpers per measured step (wake-up latency, uneven shares).
    gemmWaitMsPerStep: waited === undefined || waitedBefore === undefined ? undefined : (waited - waitedBefore) / o.steps,
    gemmHelpers: gemm?.helpers,
    sharedProducts: gemm?.sharedProducts,
  };
}
