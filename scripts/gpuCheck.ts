/**
 * The GPU check's driver (bundled by scripts/make-gpu-check.sh, started by gpu-check.sh): GPT-2-124M-
 * and Qwen2.5-0.5B-shaped LoRA r=8 steps on WebGPU (Dawn, the machine's Vulkan driver) and the same
 * steps in PyTorch + PEFT on CUDA, each in a process of its own, with the ratios (scripts/benchCompare.ts).
 *
 *   node gpuCheck.mjs [--tiny] [--python python3] [--steps 5] [--weight-storage float16|float32]
 *
 * --tiny: the toy preset on whatever Dawn finds (SwiftShader here) and PyTorch on the CPU, to try the
 * whole path on a machine without a GPU.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareLoraStep, compareReport, type CompareOptions } from './benchCompare.ts';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const tiny = argv.includes('--tiny');
const here = dirname(fileURLToPath(import.meta.url));
const started = Date.now();
const presets = tiny ? ['tiny'] : ['gpt2-124m', 'qwen2.5-0.5b'];
const out: unknown[] = [];
for (const preset of presets) {
  const options: CompareOptions = {
    preset,
    batch: Number(opt('batch', tiny ? '2' : '4')),
    seq: Number(opt('seq', tiny ? '32' : '128')),
    steps: Number(opt('steps', '5')),
    warmup: 1,
    threads: [],
    device: 'gpu',
    torchDevice: tiny ? 'cpu' : 'cuda',
    engineCommand: [process.execPath, join(here, 'benchLmStep.mjs')],
    python: opt('python', process.env.PYTHON ?? 'python3'),
    torchScript: join(here, 'benchTorch.py'),
    // Frozen weights as float16, as a BF16 checkpoint loads on WebGPU (the <= 0.6 bytes target).
    weightStorage: opt('weight-storage', 'float16') === 'float32' ? 'float32' : 'float16',
    // As training computes the loss: no [4*128, vocab] float32 logits held (311 MB each at Qwen's vocabulary).
    loss: 'chunked',
  };
  const rows = compareLoraStep(options);
  console.log(`\n${compareReport(rows, options)}\n`);
  out.push({ options, rows });
}
console.log(`gpu-check: ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`GPU_CHECK_JSON ${JSON.stringify(out)}`);
