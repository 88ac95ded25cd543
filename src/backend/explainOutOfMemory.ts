/**
 * Out of memory, as each backend reports it, turned into one sentence with what to lower. TF.js'
 * WASM heap stops at 4 GiB: Emscripten then prints "Aborted()" (or a step faults with "memory access
 * out of bounds") and the module cannot run again; a browser may fail to allocate a typed array.
 * WebGPU's out-of-memory errors are explained by gpuFaults.ts.
 */
import { EngineError } from '../errors.ts';
import { tf } from '../tf.ts';
import { WASM_HEAP_MAX, formatBytes } from '../models/hf/hfMemory.ts';

const OUT_OF_MEMORY = /Aborted\(|memory access out of bounds|Array buffer allocation failed|Cannot enlarge memory|out of memory|WebAssembly\.Memory\(\): could not allocate/i;

/** Bytes of the WASM backend's heap now, or null on another backend. It only grows: after a run, it is the run's peak (to a growth step). */
export function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return heap ? heap.byteLength : null;
}

export function explainOutOfMemory(error: unknown, backend: string): unknown {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  if (error instanceof EngineError || !OUT_OF_MEMORY.test(message)) return error;
  const limit = backend === 'wasm' ? ` (its heap stops at ${formatBytes(WASM_HEAP_MAX)})` : '';
  return new EngineError(
    'out-of-memory',
    `The ${backend} backend ran out of memory${limit}: lower the batch size or the maximum length, or turn on gradient checkpointing. ` +
      `Saved checkpoints are kept; ${backend === 'wasm' ? 'reload the page (or run the command again) before training again, as the WASM backend cannot go on after this' : 'train again with smaller settings'}.`,
  );
}
