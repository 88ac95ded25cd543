/**
 * Steps per second of the one training loop (src/train/trainLoop.ts) on a LoRA language-model task,
 * whole steps as a run takes them (loss read back, AdamW, onStep), not a single step timed alone:
 * what the loss read-back order changes. Prints one JSON line.
 *
 *   npx tsx scripts/benchTrainLoop.ts --backend webgpu --preset tiny --steps 40 --batch 4 --seq 64
 *
 * Under Node, webgpu is Dawn (SwiftShader where the machine has no GPU: TABTUNE_SWIFTSHADER=1 forces it).
 */
import { startBackend } from '../src/backend/startBackend.ts';
import { installDawnGpu } from '../src/cli/dawnGpu.ts';
import { createRng } from '../src/data/rng.ts';
import { chunkedCausalLmLoss } from '../src/lm/chunkedCrossEntropy.ts';
import { createLmLora } from '../src/lm/createLmLora.ts';
import { planParams } from '../src/lm/lmPlanSummary.ts';
import { causalLmHidden, lmHeadOf } from '../src/models/hf/causalLmLogits.ts';
import { tf, type Tensor2D } from '../src/tf.ts';
import { runTrainLoop } from '../src/train/trainLoop.ts';
import { attentionPlan, presetConfig, PRESETS, randomLm, targetsPattern } from './benchModels.ts';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const presetName = opt('preset', 'tiny');
const preset = PRESETS[presetName];
if (!preset) throw new Error(`unknown --preset ${presetName}; one of ${Object.keys(PRESETS).join(', ')}`);
const backend = opt('backend', 'webgpu') as 'wasm' | 'webgpu' | 'cpu';
const steps = Number(opt('steps', '40'));
const batch = Number(opt('batch', '4'));
const seq = Number(opt('seq', '64'));

if (backend === 'webgpu' && !(await installDawnGpu({ preferSwiftShader: process.env.TABTUNE_SWIFTSHADER === '1' }))) {
  console.log(JSON.stringify({ skipped: 'no Vulkan driver for Dawn (the webgpu package) here' }));
  process.exit(3);
}
const report = await startBackend(backend);
const lm = randomLm(presetConfig(preset), 1);
const lora = createLmLora(attentionPlan(lm, targetsPattern(preset.targets)), lm.modules, createRng(3));
const rng = createRng(5);
const rows = Array.from({ length: 64 }, () => Int32Array.from({ length: seq + 1 }, () => Math.floor(rng() * preset.vocab)));
const times: number[] = [];
const started = performance.now();
await runTrainLoop(
  {
    params: planParams(lora),
    batches: { kind: 'steps', rows: rows.map((_, i) => i), steps, gradAccumulation: 1, evalEvery: 0 },
    batchLoss(batchRows) {
      const ids = tf.tensor2d(Int32Array.from(batchRows.flatMap((r) => [...rows[r]!.subarray(0, seq)])), [batchRows.length, seq], 'int32') as Tensor2D;
      const labels = Int32Array.from(batchRows.flatMap((r) => [...rows[r]!.subarray(1)]));
      return chunkedCausalLmLoss(causalLmHidden(lm, ids, { lora, training: true, dropoutSeed: 1 }).hidden, lmHeadOf(lm), labels).loss;
    },
    evaluate: async () => ({ metrics: { validationLoss: Number.NaN }, detail: null }),
  },
  { learningRate: 1e-4, batchSize: batch, weightDecay: 0, seed: 1, clipNorm: 1 },
  { onStep: () => times.push(performance.now()), onEval: () => {}, shouldStop: () => false },
);
// From the end of step 2 to the end of the last: shader compilation and the first allocations left out.
const timed = times.slice(2);
const stepsPerSecond = ((timed.length - 1) * 1000) / (timed.at(-1)! - timed[0]!);
console.log(
  JSON.stringify({
    engine: `tabtune ${report.name}`,
    adapter: report.adapter ? `${report.adapter.vendor} ${report.adapter.architecture} ${report.adapter.description}`.trim() : undefined,
    preset: presetName,
    batch,
    seq,
    steps,
    stepsPerSecond: Number(stepsPerSecond.toFixed(3)),
    totalSeconds: Number(((performance.now() - started) / 1000).toFixed(2)),
  }),
);
process.exit(0); // Dawn keeps the process alive
