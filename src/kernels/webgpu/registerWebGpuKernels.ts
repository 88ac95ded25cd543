import { registerChunkedAddN } from './registerChunkedAddN.ts';
import { registerFusedLoraLinear } from './registerFusedLoraLinear.ts';

/**
 * Every custom WebGPU kernel: AddN that fits the device's binding limit, and the fused LoRA
 * projection. Call after the webgpu backend is ready (AddN wraps the backend's stock kernel). Idempotent.
 */
export function registerWebGpuKernels(): void {
  registerChunkedAddN();
  registerFusedLoraLinear();
}
