/**
 * BatchMatMul on our GEMM (wasmGemm.ts), for the WASM backend: every float32 product whose batch
 * shapes are equal or one of them is 1, transposed operands included (they are read through strides).
 * Returns null for what it does not take (other broadcasts, other dtypes, a runtime without SIMD),
 * which the stock kernel then runs.
 */
import { tf } from '../../tf.ts';
import { GEMM_SCRATCH_BYTES, WasmGemm, gemmModule, isSharedMemory, type GemmOperand } from './wasmGemm.ts';

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

const gemms = new WeakMap<object, WasmGemm | null>();

/** The backend's GEMM, made on first use; null where the runtime cannot run it. */
function gemmOf(backend: WasmBackendLike): WasmGemm | null {
  if (gemms.has(backend)) return gemms.get(backend)!;
  const memory = heapMemory(backend);
  const module = memory ? gemmModule(isSharedMemory(memory)) : null;
  // The scratch is the gemm's for the backend's life (about 1.2 MB, packed blocks).
  const gemm = memory && module ? new WasmGemm(module, memory, backend.wasm._malloc(GEMM_SCRATCH_BYTES)) : null;
  gemms.set(backend, gemm);
  return gemm;
}

let enabled = true;
/** For the bench and tests: false leaves every product to the previous path (XNNPACK after transposing). */
export function setWasmGemm(on: boolean): void {
  enabled = on;
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

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
  const ga = size(batchA);
  const gb = size(batchB);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(batchA, batchB);
  const g = size(outBatch);
  if ((ga !== g && ga !== 1) || (gb !== g && gb !== 1)) return null;
  if ((tB ? bc : br) !== k) throw new Error(`Error in matMul: inner shapes (${k}) and (${tB ? bc : br}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${tA} and transposeB=${tB} must match.`);

  const out = wb.makeOutput([...outBatch, m, n], 'float32'); // [...G, M, N]
  if (size(out.shape) === 0) return out;
  const memory = heapMemory(wb)!;
  const c = wb.getMemoryOffset(out.dataId);
  if (k === 0) {
    new Float32Array(memory.buffer, c, g * m * n).fill(0);
    return out;
  }
  const aAt = wb.getMemoryOffset(a.dataId);
  const bAt = wb.getMemoryOffset(b.dataId);
  const strideA: Omit<GemmOperand, 'at'> = tA ? { rowStride: 1, colStride: m } : { rowStride: k, colStride: 1 };
  const strideB: Omit<GemmOperand, 'at'> = tB ? { rowStride: 1, colStride: k } : { rowStride: n, colStride: 1 };
  if (ga > 1 && gb === 1 && !tA) {
    // One product: the batches of a stacked as rows ([G·M, K] x [K, N]), b packed once per block.
    gemm.multiply({ at: aAt, ...strideA }, { at: bAt, ...strideB }, c, n, g * m, k, n);
    return out;
  }
  for (let i = 0; i < g; i++) {
    const aOp = { at: aAt + (ga === 1 ? 0 : 4 * i * m * k), ...strideA };
    const bOp = { at: bAt + (gb === 1 ? 0 : 4 * i * k * n), ...strideB };
    gemm.multiply(aOp, bOp, c + 4 * i * m * n, n, m, k, n);
  }
  return out;
}
