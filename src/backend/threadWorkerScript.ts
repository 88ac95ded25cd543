/**
 * The threaded WASM build's scripts as packages name them, and its pthread worker script as a file's
 * text: shared by the command line (src/cli/nodeWasmThreads.ts) and the studio's build (vite.config.ts).
 */

/** The unbundled Emscripten glue of TF.js' threaded SIMD build (each pthread worker loads it). */
export const THREADED_GLUE_MODULE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
/** The module whose `wasmWorkerContents` string is the pthread worker script. */
export const THREAD_WORKER_MODULE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';

/**
 * The worker script's text for a file. TF.js escapes newlines the same way before making its blob:
 * the string holds a raw newline inside a JavaScript string literal, which would not parse as is.
 */
export function threadWorkerScript(wasmWorkerContents: string): string {
  return wasmWorkerContents.replace(/\n/g, '\\n');
}
