/**
 * Our float32 GEMM for the WASM backend, running in TF.js' own heap: operands are read where TF.js
 * keeps them (through strides, so transposed operands need no copy) and the product is written into
 * a tensor TF.js allocated. The module (gemmWat.ts: packing, a 4 x 8 register tile, BLIS blocking)
 * imports the backend's WebAssembly.Memory, so nothing is copied in or out and heap growth is seen
 * at once. gemmThreads.ts shares one product between threads.
 */
import { GEMM_WASM_BASE64 } from './gemmWasmBinaries.ts';
import { MR, NR } from './gemmWat.ts';

export { GEMM_SCRATCH_BYTES } from './gemmWat.ts';

/**
 * One product, or g of them: C[i, j] = Σ_k A[i, k]·B[k, j] for i < m, j < n. A's element (i, k) at
 * byte a + 4·(i·ai + k·ak), B's (k, j) at b + 4·(k·bk + j·bj), C's rows ldc floats apart from byte c;
 * batch t adds t·sa, t·sb, t·sc bytes. k ≥ 1.
 */
export interface GemmJob {
  g: number;
  a: number;
  sa: number;
  ai: number;
  ak: number;
  b: number;
  sb: number;
  bk: number;
  bj: number;
  c: number;
  sc: number;
  ldc: number;
  m: number;
  k: number;
  n: number;
}

/** The module's one export, its parameters in GemmJob's order, then the share of columns and the scratch. */
export type GemmExport = (...args: number[]) => void;

/** A job's arguments for the export, for columns [j0, j1). */
export function gemmArgs(job: GemmJob, j0: number, j1: number, scratch: number): number[] {
  const { g, a, sa, ai, ak, b, sb, bk, bj, c, sc, ldc, m, k, n } = job;
  return [g, a, sa, ai, ak, b, sb, bk, bj, c, sc, ldc, m, k, n, j0, j1, scratch];
}

/**
 * How many participants a product can keep busy: one per batch, per 8-column panel, or, where it
 * splits by rows (splitsByRows), per MR-row tile.
 */
export function maxShares(job: GemmJob): number {
  return Math.max(job.g, Math.ceil(job.n / NR), splitsByRows(job) ? Math.floor(job.m / MR) : 1);
}

/**
 * Each participant packs all of the operand it does not split: a split by columns packs A [m, k]
 * once per thread, a split by rows B [k, n]. Rows, then, when B is the smaller: rotary's [4608, 64] x
 * [64, 64] and LoRA's x·Aᵀ [512, 576] x [576, 8], whose few columns leave column shares a sliver each.
 */
function splitsByRows(job: GemmJob): boolean {
  return job.n < job.m;
}

/**
 * Participant `t` of `count`'s share: a range of batches when there are enough, else of MR-row tiles
 * (splitsByRows) or of 8-column panels. Every output is still summed by one participant, in the
 * one-thread order.
 */
export function shareOf(job: GemmJob, t: number, count: number): { job: GemmJob; j0: number; j1: number } | null {
  if (job.g >= count) {
    const g0 = Math.floor((job.g * t) / count);
    const g1 = Math.floor((job.g * (t + 1)) / count);
    if (g1 === g0) return null;
    return { job: { ...job, g: g1 - g0, a: job.a + g0 * job.sa, b: job.b + g0 * job.sb, c: job.c + g0 * job.sc }, j0: 0, j1: job.n };
  }
  if (splitsByRows(job)) {
    const tiles = Math.ceil(job.m / MR);
    const r0 = Math.floor((tiles * t) / count) * MR;
    const r1 = Math.min(job.m, Math.floor((tiles * (t + 1)) / count) * MR);
    if (r1 <= r0) return null;
    // Rows r0..r1 of A and C in every batch: A's row i is 4·i·ai bytes in, C's 4·i·ldc.
    return { job: { ...job, a: job.a + 4 * r0 * job.ai, c: job.c + 4 * r0 * job.ldc, m: r1 - r0 }, j0: 0, j1: job.n };
  }
  const panels = Math.ceil(job.n / NR);
  const p0 = Math.floor((panels * t) / count);
  const p1 = Math.floor((panels * (t + 1)) / count);
  if (p1 === p0) return null;
  return { job, j0: p0 * NR, j1: Math.min(job.n, p1 * NR) };
}

const decode = (base64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));

let relaxed: boolean | null = null;
/** Whether this runtime compiles relaxed SIMD (Chrome 114+, Node 22+, Node 20 with --experimental-wasm-relaxed-simd). */
export function hasRelaxedSimd(): boolean {
  relaxed ??= WebAssembly.validate(decode(GEMM_WASM_BASE64.fma.plain));
  return relaxed;
}

/** The compiled module for a memory: relaxed SIMD where the runtime has it; null without SIMD at all. */
export function gemmModule(shared: boolean, fma = hasRelaxedSimd()): WebAssembly.Module | null {
  const bytes = decode(GEMM_WASM_BASE64[fma ? 'fma' : 'simd'][shared ? 'shared' : 'plain']);
  return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
}

export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** The module instantiated on a heap: its export. */
function instantiateGemm(module: WebAssembly.Module, memory: WebAssembly.Memory): GemmExport {
  return (new WebAssembly.Instance(module, { env: { memory } }).exports as { gemm: GemmExport }).gemm;
}

/** One thread's GEMM: the module on the heap, and that thread's scratch (GEMM_SCRATCH_BYTES) in it. */
export class WasmGemm {
  private readonly gemm: GemmExport;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, private readonly scratch: number) {
    this.gemm = instantiateGemm(module, memory);
  }

  /** The job's columns [j0, j1) (all by default), on this thread. */
  multiply(job: GemmJob, j0 = 0, j1 = job.n): void {
    if (job.k === 0) throw new Error('WasmGemm.multiply: k must be at least 1 (the caller fills an empty product with zeros)');
    if (job.g > 0 && j1 > j0 && job.m > 0) this.gemm(...gemmArgs(job, j0, j1, this.scratch));
  }
}
