/**
 * The GEMM module on its own memory, against sums in float64: both variants (relaxed SIMD's fused
 * multiply-add and baseline SIMD's mul + add), plain and shared memory, every layout of the operands,
 * shapes that leave partial tiles, panels and cache blocks, a share of the columns, and the shares
 * threads take (shareOf), which must add up to the one-thread product to the bit.
 */
import { setFlagsFromString } from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { GEMM_SCRATCH_BYTES, WasmGemm, gemmModule, hasRelaxedSimd, maxShares, shareOf, type GemmJob } from './wasmGemm.ts';

/** An operand's element (r, c) at byte at + 4(r·rowStride + c·colStride). */
interface GemmOperand {
  at: number;
  rowStride: number;
  colStride: number;
}

interface Case {
  m: number;
  k: number;
  n: number;
  tA: boolean;
  tB: boolean;
}

/** A heap with the scratch first, then A, B and C; returns the product and the reference. */
function run(module: WebAssembly.Module, shared: boolean, c: Case, columns?: [number, number]): { got: Float32Array; want: Float64Array; untouched: boolean } {
  const { m, k, n, tA, tB } = c;
  const bytes = GEMM_SCRATCH_BYTES + 4 * (m * k + k * n + m * n) + 1024;
  const pages = Math.ceil(bytes / 65536);
  const memory = shared ? new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true }) : new WebAssembly.Memory({ initial: pages });
  const gemm = new WasmGemm(module, memory, 0);
  const heap = new Float32Array(memory.buffer);
  const aAt = GEMM_SCRATCH_BYTES + 64;
  const bAt = aAt + 4 * m * k;
  const cAt = bAt + 4 * k * n;
  // Values that are exact in float32 and vary by position.
  for (let i = 0; i < m * k; i++) heap[aAt / 4 + i] = ((i * 7919) % 97) / 32 - 1.5;
  for (let i = 0; i < k * n; i++) heap[bAt / 4 + i] = ((i * 104729) % 89) / 32 - 1.375;
  heap.fill(Number.NaN, cAt / 4, cAt / 4 + m * n); // every written element must be overwritten
  const a: GemmOperand = { at: aAt, ...(tA ? { rowStride: 1, colStride: m } : { rowStride: k, colStride: 1 }) };
  const b: GemmOperand = { at: bAt, ...(tB ? { rowStride: 1, colStride: k } : { rowStride: n, colStride: 1 }) };
  const [j0, j1] = columns ?? [0, n];
  const job: GemmJob = { g: 1, a: a.at, sa: 0, ai: a.rowStride, ak: a.colStride, b: b.at, sb: 0, bk: b.rowStride, bj: b.colStride, c: cAt, sc: 0, ldc: n, m, k, n };
  gemm.multiply(job, j0, j1);
  const want = new Float64Array(m * n);
  const el = (op: GemmOperand, r: number, col: number): number => heap[(op.at + 4 * (r * op.rowStride + col * op.colStride)) / 4]!;
  let untouched = true;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      if (j < j0 || j >= j1) {
        untouched &&= Number.isNaN(heap[cAt / 4 + i * n + j]!);
        continue;
      }
      let s = 0;
      for (let p = 0; p < k; p++) s += el(a, i, p) * el(b, p, j);
      want[i * n + j] = s;
    }
  const got = heap.slice(cAt / 4, cAt / 4 + m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) if (j < j0 || j >= j1) got[i * n + j] = 0;
  return { got, want, untouched };
}

function maxError(got: Float32Array, want: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
  return Number.isNaN(worst) || got.some((v) => Number.isNaN(v)) ? Number.POSITIVE_INFINITY : worst;
}

const cases: Case[] = [
  { m: 1, k: 1, n: 1, tA: false, tB: false },
  { m: 4, k: 3, n: 8, tA: false, tB: false }, // one whole tile
  { m: 7, k: 5, n: 13, tA: false, tB: true }, // partial tiles in both directions
  { m: 130, k: 300, n: 1030, tA: true, tB: false }, // past MC (128), two K slices of 150, past NC (1024)
  { m: 67, k: 513, n: 99, tA: false, tB: true }, // three K slices of 171
  { m: 5, k: 3, n: 7, tA: true, tB: true },
  { m: 128, k: 64, n: 128, tA: false, tB: true }, // attention's q·kᵀ per head
];

describe('WasmGemm', () => {
  beforeAll(() => {
    // As the command line does (src/cli/nodeWasmThreads.ts): Node 20 has relaxed SIMD behind a flag.
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  });

  it('finds relaxed SIMD in this runtime once enabled', () => {
    expect(hasRelaxedSimd()).toBe(true);
  });

  for (const fma of [true, false])
    for (const shared of [false, true])
      it.each(cases)(`${fma ? 'relaxed_madd' : 'mul + add'}, ${shared ? 'shared' : 'plain'} memory: [$m, $k] x [$k, $n], tA $tA, tB $tB`, (c) => {
        const module = gemmModule(shared, fma);
        expect(module).not.toBeNull();
        const { got, want } = run(module!, shared, c);
        // float32 sums of k products against float64: a few ulps of the larger partial sums.
        expect(maxError(got, want)).toBeLessThan(1e-5 * Math.sqrt(c.k));
      });

  it('writes only the columns it is given (a thread\'s share), in whole panels or not', () => {
    const module = gemmModule(false)!;
    for (const cols of [[0, 16], [16, 37], [5, 21]] as [number, number][]) {
      const { got, want, untouched } = run(module, false, { m: 9, k: 20, n: 37, tA: false, tB: true }, cols);
      for (let i = 0; i < 9; i++) for (let j = 0; j < 37; j++) if (j < cols[0] || j >= cols[1]) want[i * 37 + j] = 0;
      expect(untouched).toBe(true);
      expect(maxError(got, want)).toBeLessThan(1e-5);
    }
  });

  it.each([
    { g: 1, m: 602, k: 70, n: 24, tA: false, count: 3, by: 'rows' }, // few columns (LoRA's x·Aᵀ, rotary): rows
    { g: 2, m: 301, k: 33, n: 20, tA: true, count: 3, by: 'rows' }, // transposed A, batches < threads
    { g: 1, m: 40, k: 50, n: 90, tA: false, count: 2, by: 'columns' }, // more columns than rows
    { g: 5, m: 30, k: 20, n: 10, tA: false, count: 2, by: 'batches' },
  ])('splits [$g, $m, $k] x [$k, $n] (tA $tA) by $by over $count threads, adding up to the one-thread product to the bit', ({ g, m, k, n, tA, count, by }) => {
    const memory = new WebAssembly.Memory({ initial: Math.ceil((GEMM_SCRATCH_BYTES + 4 * g * (m * k + k * n + 2 * m * n)) / 65536) + 1 });
    const gemm = new WasmGemm(gemmModule(false)!, memory, 0);
    const heap = new Float32Array(memory.buffer);
    const a = GEMM_SCRATCH_BYTES;
    const b = a + 4 * g * m * k;
    const [one, shared] = [b + 4 * g * k * n, b + 4 * g * k * n + 4 * g * m * n];
    for (let i = 0; i < g * m * k; i++) heap[a / 4 + i] = ((i * 7919) % 97) / 32 - 1.5;
    for (let i = 0; i < g * k * n; i++) heap[b / 4 + i] = ((i * 104729) % 89) / 32 - 1.375;
    heap.fill(Number.NaN, shared / 4, shared / 4 + g * m * n);
    const job: GemmJob = { g, a, sa: 4 * m * k, ...(tA ? { ai: 1, ak: m } : { ai: k, ak: 1 }), b, sb: 4 * k * n, bk: n, bj: 1, c: one, sc: 4 * m * n, ldc: n, m, k, n };
    expect(maxShares(job)).toBeGreaterThanOrEqual(count);
    gemm.multiply(job);
    for (let t = 0; t < count; t++) {
      const share = shareOf({ ...job, c: shared }, t, count)!;
      expect(share).not.toBeNull();
      const kind = share.job.g < g ? 'batches' : share.job.m < m ? 'rows' : 'columns';
      expect(kind).toBe(by);
      gemm.multiply(share.job, share.j0, share.j1);
    }
    const want = heap.slice(one / 4, one / 4 + g * m * n);
    const got = heap.slice(shared / 4, shared / 4 + g * m * n);
    expect(got.some((v) => Number.isNaN(v))).toBe(false);
    expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
  });

  it('refuses an empty inner dimension (its callers fill zeros instead)', () => {
    const memory = new WebAssembly.Memory({ initial: Math.ceil(GEMM_SCRATCH_BYTES / 65536) + 1 });
    const gemm = new WasmGemm(gemmModule(false)!, memory, 0);
    const at = GEMM_SCRATCH_BYTES;
    const job: GemmJob = { g: 1, a: at, sa: 0, ai: 1, ak: 1, b: at, sb: 0, bk: 1, bj: 1, c: at, sc: 0, ldc: 1, m: 1, k: 0, n: 1 };
    expect(() => gemm.multiply(job)).toThrow(/k must be at least 1/);
  });
});
