import type { AdapterInfo, BackendChoice, BackendReport } from '../api.ts';
import { EngineError } from '../errors.ts';
import { tf } from '../tf.ts';
import { describeAdapter } from './adapterInfo.ts';
import { chooseBackend } from './chooseBackend.ts';
import { currentWebGpuDevice, registerWebGpuBackend, type GpuWatch } from './registerWebGpuBackend.ts';
// Backend packages are imported here, where backends are set up; the TF.js API itself comes from src/tf.ts.
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../kernels/wasm/registerWasmTrainingKernels.ts';
import { startWasmGemm } from '../kernels/wasm/gemmBatchMatMul.ts';
import { registerWebGpuKernels } from '../kernels/webgpu/registerWebGpuKernels.ts';
import { wasmThreadCount, wasmThreadsNote } from './wasmThreads.ts';

/** Where the WASM backend's binaries are (the studio bundles them; never a CDN). Node finds them itself. */
export function useWasmBinaries(urls: { plain: string; simd: string; threadedSimd: string }): void {
  setWasmPaths({ 'tfjs-backend-wasm.wasm': urls.plain, 'tfjs-backend-wasm-simd.wasm': urls.simd, 'tfjs-backend-wasm-threaded-simd.wasm': urls.threadedSimd });
}

/** navigator.gpu where this runtime has it: browsers, workers, and Node with Dawn installed on globalThis. */
function gpuOf(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu;
}

/**
 * Starts the backend for a choice and reports which one runs, on which adapter, and why.
 * The engine asks for the adapter itself (rather than letting TF.js do it) so that it can show the
 * adapter to the user and, later, watch its device for loss.
 */
export async function startBackend(choice: BackendChoice, watch?: GpuWatch): Promise<BackendReport> {
  const gpu = gpuOf();
  let adapter: GPUAdapter | null = null;
  let adapterInfo: AdapterInfo | null = null;
  if (gpu) {
    try {
      adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    } catch {
      adapter = null;
    }
    if (adapter) adapterInfo = describeAdapter(adapter);
  }
  const decision = chooseBackend(choice, gpu !== undefined, adapterInfo);

  if (decision.name === 'webgpu') {
    if (!gpu) throw new EngineError('backend-unavailable', 'WebGPU is not available in this browser. Choose "auto" or "wasm", or use a browser with WebGPU (Chrome, Edge, or Safari 26+).');
    if (!adapter) throw new EngineError('backend-unavailable', 'WebGPU offered no adapter (the GPU may be blocklisted or busy). Choose "auto" or "wasm".');
    // Re-selecting a running WebGPU backend keeps it (re-registering would free every tensor on it),
    // unless its device was lost: then a new device is the only way on.
    if (tf.getBackend() !== 'webgpu' || currentWebGpuDevice() === null) registerWebGpuBackend(adapter, watch);
  }
  if (decision.name === 'wasm') registerWasmTrainingKernels();
  const ok = await tf.setBackend(decision.name).catch(() => false);
  if (!ok) {
    throw new EngineError('backend-unavailable', `The ${decision.name} backend could not start in this browser. Choose "auto" or another backend.`);
  }
  await tf.ready();
  if (decision.name === 'webgpu') registerWebGpuKernels();
  if (decision.name === 'wasm') startWasmGemm(tf.backend());
  return {
    requested: choice,
    name: decision.name,
    reason: decision.reason,
    // Shown even when WASM runs: the user sees which GPU was there and why it was not used.
    adapter: adapterInfo,
    ...(decision.name === 'wasm' ? { threads: Math.max(wasmThreadCount(), getThreadsCount()), ...(wasmThreadsNote() ? { threadsNote: wasmThreadsNote() } : {}) } : {}),
  };
}
