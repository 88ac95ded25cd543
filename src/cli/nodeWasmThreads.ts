/**
 * Threaded WASM under Node: the threaded build's pieces as files from node_modules, for
 * useWasmThreads (src/backend/wasmThreads.ts). Node's worker_threads take file paths only (never
 * blob: URLs), so the pthread worker script, which TF.js ships as a string, is written once to the
 * temporary folder under a name made from its content's hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { THREADED_GLUE_MODULE, THREAD_WORKER_MODULE, threadWorkerScript } from '../backend/threadWorkerScript.ts';
import { useWasmThreads } from '../backend/wasmThreads.ts';
import { GEMM_HELPER_NODE_SCRIPT } from '../kernels/wasm/gemmHelperScript.ts';

/** Runs the WASM backend on `threads` threads (default: every core). Call before the backend starts. */
export function useNodeWasmThreads(threads: number = availableParallelism()): void {
  enableRelaxedSimd();
  const require = createRequire(import.meta.url);
  const glue = require.resolve(THREADED_GLUE_MODULE);
  // Only with threads: the threaded glue sets a global Worker anyway, one thread leaves Node's globals alone.
  if (threads > 1) leanThreadWorkers();
  let worker = '';
  let unavailable: string | undefined;
  try {
    worker = threadWorkerFile(threadWorkerScript((require(THREAD_WORKER_MODULE) as { wasmWorkerContents: string }).wasmWorkerContents));
  } catch (e) {
    unavailable = `the thread worker script could not be written to ${tmpdir()} (${e instanceof Error ? e.message : String(e)}); set TMPDIR to a writable folder.`;
  }
  useWasmThreads({ threads, glue, worker, wasmBinary: async () => readFileSync(glue.replace(/\.js$/, '.wasm')), gemmHelper: nodeGemmHelper, ...(unavailable ? { unavailable } : {}) });
}

/**
 * A helper thread for our GEMM (src/kernels/wasm/gemmThreads.ts): its script is plain CommonJS text,
 * run with `eval` and without tsx's loader. One that fails never says it is ready, and its share of
 * every product stays on the calling thread; unref'd, it never keeps the process alive.
 */
function nodeGemmHelper(): Worker {
  const helper = new Worker(GEMM_HELPER_NODE_SCRIPT, { eval: true, execArgv: [] });
  helper.on('error', () => {});
  helper.unref();
  return helper;
}

/**
 * Relaxed SIMD (fused multiply-add) for our GEMM (src/kernels/wasm/wasmGemm.ts): on by default from
 * Node 22 (V8 11.4, as in Chrome 114), behind this flag in Node 20. It must be set before the first
 * WebAssembly module is checked for it; without it the GEMM runs baseline SIMD (mul + add, slower).
 */
export function enableRelaxedSimd(): void {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/**
 * The glue sets `global.Worker = worker_threads.Worker` and starts its 8 pthread workers with it.
 * A plain worker_threads.Worker inherits the process's execArgv, so under tsx (the command line, the
 * bench, vitest) every thread would load tsx's loader first: seconds of start-up and ~20 MB each, for
 * a worker script that is plain CommonJS. The Worker it gets here starts them without those flags.
 */
function leanThreadWorkers(): void {
  class ThreadWorker extends Worker {
    constructor(file: string | URL, options: ConstructorParameters<typeof Worker>[1] = {}) {
      super(file, { ...options, execArgv: [] });
    }
  }
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => ThreadWorker, set: () => {} });
}

/** The worker script as a file (CommonJS: it uses require); written once per content, atomically. */
function threadWorkerFile(text: string): string {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const path = join(tmpdir(), `tabtune-wasm-thread-${hash}.cjs`);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, path); // another process writing the same file at once is harmless
  }
  return path;
}
