/**
 * BatchMatMul on our GEMM (wasmGemm.ts), for the WASM backend: every float32 product whose batch
 * shapes are equal or one of them is 1, transposed operands included (they are read through strides).
 * Returns null for what it does not take (other broadcasts, other dtypes, a runtime without SIMD),
 * which the stock kernel then runs.
 */
import { tf } from '../../tf.ts';
import { gemmModule, isSharedMemory, type GemmJob } from './wasmGemm.ts';
import { GemmThreads } from './gemmThreads.ts';

/** What this file needs of TF.js' BackendWasm (4.22). */
interface WasmBackendLike {
  wasm: { _malloc(bytes: number): number; wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  getMemoryOffset(dataId: tf.DataId): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The heap's Memory: the threaded build keeps it on the module, the single-thread build exports it. */
function heapMemory(backend: WasmBackendLike): WebAssembly.Memory | undefined {
  return backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
}

const gemms = new WeakMap<object, GemmThreads | null>();

/** The backend's GEMM (and its helper threads), made on first use; null where the runtime cannot run it. */
function gemmOf(backend: WasmBackendLike): GemmThreads | null {
  if (gemms.has(backend)) return gemms.get(backend)!;
  const memory = heapMemory(backend);
  const module = memory ? gemmModule(isSharedMemory(memory)) : null;
  // Each thread's scratch is kept for the backend's life (about 1.2 MB: packed blocks).
  const gemm = memory && module ? new GemmThreads(module, memory, (bytes) => backend.wasm._malloc(bytes)) : null;
  gemms.set(backend, gemm);
  return gemm;
}

/**
 * Makes the backend's GEMM now (startBackend.ts, once WASM runs): its helper threads load their
 * script and compile the module at start-up, not during the first training step.
 */
export function startWasmGemm(backend: unknown): void {
  gemmOf(backend as WasmBackendLike);
}

/**
 * The backend's GEMM as it runs (null: no GEMM): helper threads ready, products shared with them so
 * far, and the milliseconds the calling thread spent waiting for their shares after finishing its own.
 */
export function wasmGemmStatus(backend: unknown): { helpers: number; sharedProducts: number; waitMs: number } | null {
  const gemm = gemms.get(backend as object);
  return gemm ? { helpers: gemm.readyHelpers().length, sharedProducts: gemm.sharedRuns, waitMs: gemm.waitMs } : null;
}

let enabled = true;
/** For the bench and tests: false leaves every product to the previous path (XNNPACK after transposing). */
export function setWasmGemm(on: boolean): void {
  enabled = on;
}

/** a [...Ga, M, K] (tA: [..., K, M]) times b [...Gb, K, N] (tB: [..., N, K]) -> [...G, M, N]; null: not taken. */
export function gemmBatchMatMul(backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo, tA: boolean, tB: boolean): tf.TensorInfo | null {
  if (!enabled || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const wb = backend as WasmBackendLike;
  const gemm = gemmOf(wb);
  if (!gemm) return null;
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const [m, k] = tA ? [ac, ar] : [ar, ac];
  const n = tB ? br : bc;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const ga = tf.util.sizeFromShape(batchA);
  const gb = tf.util.sizeFromShape(batchB);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(batchA, batchB);
  const g = tf.util.sizeFromShape(outBatch);
  if ((ga !== g && ga !== 1) || (gb !== g && gb !== 1)) return null;
  if ((tB ? bc : br) !== k) throw new Error(`Error in matMul: inner shapes (${k}) and (${tB ? bc : br}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${tA} and transposeB=${tB} must match.`);

  const out = wb.makeOutput([...outBatch, m, n], 'float32'); // [...G, M, N]
  if (tf.util.sizeFromShape(out.shape) === 0) return out;
  const memory = heapMemory(wb)!;
  const c = wb.getMemoryOffset(out.dataId);
  if (k === 0) {
    new Float32Array(memory.buffer, c, g * m * n).fill(0);
    return out;
  }
  const job: GemmJob = {
    g,
    a: wb.getMemoryOffset(a.dataId),
    sa: ga === 1 ? 0 : 4 * m * k,
    ...(tA ? { ai: 1, ak: m } : { ai: k, ak: 1 }),
    b: wb.getMemoryOffset(b.dataId),
    sb: gb === 1 ? 0 : 4 * k * n,
    ...(tB ? { bk: 1, bj: k } : { bk: n, bj: 1 }),
    c,
    sc: 4 * m * n,
    ldc: n,
    m,
    k,
    n,
  };
  // One product when a's batches can stack as rows ([G·M, K] x [K, N]): b is packed once per block.
  gemm.run(ga > 1 && gb === 1 && !tA ? { ...job, g: 1, m: g * m } : job);
  return out;
}
