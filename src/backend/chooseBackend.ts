import type { AdapterInfo, BackendChoice, BackendName } from '../api.ts';
import { adapterLabel } from './adapterInfo.ts';

export interface BackendDecision {
  name: BackendName;
  reason: string;
}

/**
 * Picks the backend for a choice, given what WebGPU offers. A pure function so every branch is tested.
 * `auto`: WebGPU on a hardware adapter; otherwise WASM, because on a software adapter (SwiftShader)
 * WASM was measured 20-100x faster per training step (docs/benchmarks.md).
 */
export function chooseBackend(choice: BackendChoice, webgpuAvailable: boolean, adapter: AdapterInfo | null): BackendDecision {
  if (choice !== 'auto') {
    return { name: choice, reason: `forced by the user (${choice}).` };
  }
  if (!webgpuAvailable) {
    return { name: 'wasm', reason: 'auto: this browser has no WebGPU, so the WASM backend runs on the CPU.' };
  }
  if (!adapter) {
    return { name: 'wasm', reason: 'auto: WebGPU is present but offered no adapter, so the WASM backend runs on the CPU.' };
  }
  if (adapter.isSoftware) {
    return {
      name: 'wasm',
      reason: `auto: the only WebGPU adapter is ${adapterLabel(adapter)}, a software renderer with no real GPU; WASM was measured fastest on such a machine (npm run bench, SwiftShader on 2 CPU cores: a LoRA training step of a GPT-2-shaped model took 41 ms on WASM against 817 ms on WebGPU, about 20x; the shapes CNN 18 ms against 1,965 ms; see docs/benchmarks.md).`,
    };
  }
  return { name: 'webgpu', reason: `auto: WebGPU on the hardware adapter ${adapterLabel(adapter)}.` };
}
