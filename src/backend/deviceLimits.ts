import type { DeviceLimits } from '../models/hf/hfMemory.ts';
import { tf } from '../tf.ts';
import { currentWebGpuDevice } from './registerWebGpuBackend.ts';

/** The running device's buffer limits (WebGPU; none on other backends), and the memory the browser admits to (navigator.deviceMemory, GiB). */
export function deviceLimits(): DeviceLimits {
  // A WebGPU device outlives a switch to another backend: only the running one's limits count.
  const device = tf.getBackend() === 'webgpu' ? currentWebGpuDevice() : null;
  const memory = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory;
  return {
    ...(device ? { maxBufferSize: device.limits.maxBufferSize, maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize } : {}),
    ...(typeof memory === 'number' ? { deviceMemory: memory } : {}),
  };
}
