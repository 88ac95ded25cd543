import type { AdapterInfo, BackendChoice, BackendName } from '../api.ts';
import { adapterLabel } from './adapterInfo.ts';

export interface BackendDecision {
  name: BackendName;
  reason: string;
}

/**
 * Picks the backend for a choice, given what WebGPU offers. A pure function so every branch is tested.
 * `auto`: WebGPU on a hardware adapter; otherwise WASM, because on a software adapter (SwiftShader)
 * WASM was measured about 50x faster for matmul (see docs and design notes).
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
      reason: `auto: the only WebGPU adapter is ${adapterLabel(adapter)}, a software renderer with no real GPU; WASM is about 50x faster here.`,
    };
  }
  return { name: 'webgpu', reason: `auto: WebGPU on the hardware adapter ${adapterLabel(adapter)}.` };
}
