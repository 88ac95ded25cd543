/** Which TF.js backend a session runs on, and why. Plain data only. */

/** A concrete TF.js backend the engine can run on. */
export type BackendName = 'webgpu' | 'wasm' | 'webgl' | 'cpu';
/** What the user asks for: a concrete backend, or `auto` (WebGPU on a hardware adapter, else WASM). */
export type BackendChoice = 'auto' | BackendName;

/** What the browser says about its WebGPU adapter (GPUAdapterInfo), when there is one. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters (SwiftShader, WARP, llvmpipe): WebGPU exists but no real GPU backs it. */
  isSoftware: boolean;
}

/** Which backend runs, on which adapter, and why it was chosen: always shown in the UI. */
export interface BackendReport {
  requested: BackendChoice;
  name: BackendName;
  /** One sentence a person can read, e.g. "auto: SwiftShader is a software adapter; WASM is ~50x faster here". */
  reason: string;
  adapter: AdapterInfo | null;
  /**
   * WASM only: the threads its kernels run on (the threaded SIMD build, src/backend/wasmThreads.ts).
   * More than 1 in Node when asked (`--threads`, default all cores) and in a cross-origin isolated
   * page (COOP/COEP headers).
   */
  threads?: number;
  /** WASM only: why it runs fewer threads than were asked, in a sentence (absent when it runs what was asked). */
  threadsNote?: string;
}
