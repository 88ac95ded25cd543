/**
 * `npm run bench -- --scenarios matmul`: the matrix products of a SmolLM2-135M-shaped LoRA step at
 * batch 4 x 128 (the shapes `--profile` shows taking the time), each on TF.js' own WASM kernel and
 * through src/kernels/wasm/wasmBatchMatMul.ts, side by side in one run. Median of `steps` calls after
 * one warm-up; the wasm backend must be running.
 */
import { setWasmGemm } from '../src/kernels/wasm/gemmBatchMatMul.ts';
import { hasRelaxedSimd } from '../src/kernels/wasm/wasmGemm.ts';
import { setWasmMatMulRewrites } from '../src/kernels/wasm/wasmBatchMatMul.ts';
import { tf } from '../src/tf.ts';

interface Product {
  label: string;
  a: number[];
  b: number[];
  ta?: boolean;
  tb?: boolean;
}

// n = 512 tokens, C = 576, MLP 1536, 9 heads of 64 (batch x heads = 36), a 170-row loss chunk, V = 49,152.
const PRODUCTS: Product[] = [
  { label: 'projection x·Wᵀ [512, 576] x [1536, 576]ᵀ', a: [512, 576], b: [1536, 576], tb: true },
  { label: 'input gradient dy·W [512, 1536] x [1536, 576]', a: [512, 1536], b: [1536, 576] },
  { label: 'LoRA weight gradient xᵀ·d [512, 576]ᵀ x [512, 8]', a: [512, 576], b: [512, 8], ta: true },
  { label: 'attention q·kᵀ [36, 128, 64] x [36, 128, 64]ᵀ', a: [36, 128, 64], b: [36, 128, 64], tb: true },
  { label: 'attention p·v [36, 128, 128] x [36, 128, 64]', a: [36, 128, 128], b: [36, 128, 64] },
  { label: 'attention gradient pᵀ·dO [36, 128, 128]ᵀ x [36, 128, 64]', a: [36, 128, 128], b: [36, 128, 64], ta: true },
  { label: 'vocabulary head h·Wᵀ [170, 576] x [49152, 576]ᵀ', a: [170, 576], b: [49152, 576], tb: true },
];

function medianMs(f: () => tf.Tensor, steps: number): number {
  f().dispose();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    const out = f();
    out.dataSync(); // wasm runs synchronously; the read makes sure
    times.push(performance.now() - t);
    out.dispose();
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!;
}

/** The table, and one ratio per product (ours / stock) for the bench's ratio list. */
export function benchWasmMatMul(steps: number): { table: string; ratios: Record<string, number> } {
  if (tf.getBackend() !== 'wasm') throw new Error('benchWasmMatMul runs on the wasm backend');
  const gemm = hasRelaxedSimd() ? 'GEMM, relaxed SIMD' : 'GEMM, baseline SIMD';
  const lines = [
    `| product | TF.js stock ms | XNNPACK after transposing ms | tabtune (${gemm}) ms | GFLOP/s (tabtune) | tabtune / stock | tabtune / XNNPACK after transposing |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const ratios: Record<string, number> = {};
  for (const p of PRODUCTS) {
    const a = tf.randomNormal(p.a);
    const b = tf.randomNormal(p.b);
    const f = (): tf.Tensor => tf.matMul(a, b, p.ta ?? false, p.tb ?? false);
    const out = f();
    const flops = 2 * out.size * p.a[p.ta ? p.a.length - 2 : p.a.length - 1]!;
    out.dispose();
    setWasmMatMulRewrites(false);
    const stock = medianMs(f, steps);
    setWasmMatMulRewrites(true);
    setWasmGemm(false);
    const transposing = medianMs(f, steps);
    setWasmGemm(true);
    const ours = medianMs(f, steps);
    lines.push(`| ${p.label} | ${stock.toFixed(1)} | ${transposing.toFixed(1)} | ${ours.toFixed(1)} | ${(flops / ours / 1e6).toFixed(1)} | ${(ours / stock).toFixed(2)} | ${(ours / transposing).toFixed(2)} |`);
    ratios[`wasm matmul ${p.label}: tabtune / stock`] = ours / stock;
    ratios[`wasm matmul ${p.label}: tabtune / XNNPACK after transposing`] = ours / transposing;
    tf.dispose([a, b]);
  }
  return { table: lines.join('\n'), ratios };
}
