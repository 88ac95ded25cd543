/**
 * Our float32 GEMM for the WASM backend, running in TF.js' own heap: operands are read where TF.js
 * keeps them (through strides, so transposed operands need no copy) and the product is written into
 * a tensor TF.js allocated. The module (gemmWat.ts) imports the backend's WebAssembly.Memory, so
 * nothing is copied in or out and heap growth is seen at once.
 *
 * Blocking (BLIS): for each NC-wide block of B columns and KC-deep slice of K, B's slice is packed
 * into 8-column panels (KC x 8 floats = 8 KB, stays in L1 while it is used); for each MC-row block
 * of A, A's slice is packed into 4-row panels (MC x KC = 128 KB, stays in L2); the macro-kernel walks
 * 4 x 8 tiles, adding into C after the first K slice.
 */
import { GEMM_WASM_BASE64 } from './gemmWasmBinaries.ts';
import { MR, NR } from './gemmWat.ts';

const MC = 128;
const KC = 256;
const NC = 1024;

/** An operand in the heap: element (r, c) at byte `at + 4·(r·rowStride + c·colStride)`. */
export interface GemmOperand {
  at: number;
  rowStride: number;
  colStride: number;
}

interface GemmExports {
  /** Lines (A's rows, B's columns) `sl` floats apart, their elements along k `sk` apart. */
  packA(src: number, sl: number, sk: number, mc: number, kc: number, dst: number): void;
  packB(src: number, sl: number, sk: number, nc: number, kc: number, dst: number): void;
  macro(ap: number, bp: number, c: number, mc: number, nc: number, kc: number, ldc: number, acc: number, tile: number): void;
}

/** Scratch bytes one thread needs: a tile, A's packed block, B's packed block. */
export const GEMM_SCRATCH_BYTES = 4 * (MR * NR + Math.ceil(MC / MR) * MR * KC + Math.ceil(NC / NR) * NR * KC);

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

/** One thread's GEMM: the module instantiated on the heap, and that thread's scratch in it. */
export class WasmGemm {
  private readonly exports: GemmExports;

  /** `scratch`: GEMM_SCRATCH_BYTES of the heap, this instance's alone. */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, private readonly scratch: number) {
    this.exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports;
  }

  /**
   * C[i, j] = Σ_k A[i, k]·B[k, j] for i < m, j < n, with C's rows `ldc` floats apart at byte `c`.
   * Columns [j0, j1) only when given (a thread's share; multiples of NR keep panels whole).
   */
  multiply(a: GemmOperand, b: GemmOperand, c: number, ldc: number, m: number, k: number, n: number, j0 = 0, j1 = n): void {
    const ex = this.exports;
    const tile = this.scratch;
    const ap = tile + 4 * MR * NR;
    const bp = ap + 4 * Math.ceil(MC / MR) * MR * KC;
    if (k === 0) throw new Error('WasmGemm.multiply: k must be at least 1 (the caller fills an empty product with zeros)');
    // K in equal slices of at most KC (576 = 3 x 192, not 256 + 256 + 64): a short last slice
    // would reload and store all of C for little work.
    const kStep = Math.ceil(k / Math.ceil(k / KC));
    for (let jc = j0; jc < j1; jc += NC) {
      const nc = Math.min(NC, j1 - jc);
      for (let pc = 0; pc < k; pc += kStep) {
        const kc = Math.min(kStep, k - pc);
        ex.packB(b.at + 4 * (pc * b.rowStride + jc * b.colStride), b.colStride, b.rowStride, nc, kc, bp);
        for (let ic = 0; ic < m; ic += MC) {
          const mc = Math.min(MC, m - ic);
          ex.packA(a.at + 4 * (ic * a.rowStride + pc * a.colStride), a.rowStride, a.colStride, mc, kc, ap);
          ex.macro(ap, bp, c + 4 * (ic * ldc + jc), mc, nc, kc, ldc, pc > 0 ? 1 : 0, tile);
        }
      }
    }
  }
}
