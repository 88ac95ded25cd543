/** URLs of the threaded WASM build's scripts, from the Vite plugin in vite.config.ts (wasmThreadScripts). */
declare module 'virtual:wasm-thread-scripts' {
  /** The unbundled tfjs-backend-wasm-threaded-simd.js, which each pthread worker loads. */
  export const glueUrl: string;
  /** The pthread worker script. */
  export const workerUrl: string;
  /** The GEMM helper thread's script (src/kernels/wasm/gemmHelperScript.ts). */
  export const gemmHelperUrl: string;
}
