import { registerChunkedAddN } from './registerChunkedAddN.ts';
import { registerFusedLoraLinear } from './registerFusedLoraLinear.ts';
import { registerHalfKernels } from './registerHalfKernels.ts';

/**
 * Every custom WebGPU kernel: AddN that fits the device's binding limit, and the fused LoRA
 * projection, and the kernels reading float16-stored frozen weights. Call after the webgpu backend is ready (AddN wraps the backend's stock kernel). Idempotent.
 */
export function registerWebGpuKernels(): void {
  registerChunkedAddN();
  registerFusedLoraLinear();
  registerHalfKernels();
}
