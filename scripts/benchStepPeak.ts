/**
 * Where a LoRA step's memory peaks: the distinct buffers alive at the peak of one step
 * (src/testing/peakBufferBytes.ts), whether the peak came in the forward pass (the loss included) or
 * the backward pass, and what the forward pass leaves for the backward one. Prints one JSON line:
 *
 *   npx tsx scripts/benchStepPeak.ts --preset smollm2-135m --layers 8 --batch 4 --seq 128
 *
 * Two layer counts give the bytes per block (the slope). WASM, one thread; --vocab N overrides the
 * preset's vocabulary (a smaller one runs faster and leaves the blocks' share unchanged).
 */
import { startBackend } from '../src/backend/startBackend.ts';
import { useNodeWasmThreads } from '../src/cli/nodeWasmThreads.ts';
import { createRng } from '../src/data/rng.ts';
import { createLmLora } from '../src/lm/createLmLora.ts';
import { peakBufferTrace } from '../src/testing/peakBufferBytes.ts';
import { tf } from '../src/tf.ts';
import { attentionPlan, loraStepLoss, presetConfig, PRESETS, randomLm, targetsPattern } from './benchModels.ts';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const base = PRESETS[opt('preset', 'smollm2-135m')];
if (!base) throw new Error(`unknown --preset; one of ${Object.keys(PRESETS).join(', ')}`);
const preset = { ...base, layers: Number(opt('layers', String(base.layers))), vocab: Number(opt('vocab', String(base.vocab))) };
const [batch, seq] = [Number(opt('batch', '4')), Number(opt('seq', '128'))];

useNodeWasmThreads(1);
await startBackend('wasm');
const lm = randomLm(presetConfig(preset), 1);
const lora = createLmLora(attentionPlan(lm, targetsPattern(preset.targets)), lm.modules, createRng(3));
const vars = [...lora.values()].flatMap((ad) => [ad.A, ad.B]);
const rng = createRng(5);
const labels = Int32Array.from({ length: batch * seq }, () => Math.floor(rng() * preset.vocab));
const ids = tf.tensor2d(labels, [batch, seq], 'int32');
let phase = 'forward';
let afterForward = 0;
const { peak, phase: at } = await peakBufferTrace(
  (mark) => {
    const { value, grads } = tf.variableGrads(() => {
      const loss = loraStepLoss(lm, ids, labels, lora);
      [phase, afterForward] = ['backward', mark()];
      return loss;
    }, vars);
    tf.dispose([value, ...Object.values(grads)]);
  },
  () => phase,
);
console.log(JSON.stringify({ preset: opt('preset', 'smollm2-135m'), layers: preset.layers, vocab: preset.vocab, batch, seq, peakBytes: peak, peakIn: at, afterForwardBytes: afterForward }));
process.exit(0);
