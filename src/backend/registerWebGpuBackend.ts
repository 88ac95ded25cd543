import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { tf } from '../tf.ts';

/** What the engine hears about its GPU device after it started. */
export interface GpuWatch {
  /** The device is gone (driver reset, GPU removed, destroyed): every tensor on it is lost. */
  onLost(reason: string, message: string): void;
  /** An error no scope caught: out of memory, or a validation error (a kernel the GPU refused). */
  onError(kind: 'out-of-memory' | 'validation' | 'internal', message: string): void;
}

let current: GPUDevice | null = null;

/** The device the WebGPU backend runs on (tests use it to simulate a lost device). */
export function currentWebGpuDevice(): GPUDevice | null {
  return current;
}

/**
 * Registers TF.js' WebGPU backend on a device we create from our own adapter (TF.js' default
 * factory would request a second adapter we could not show or watch). Limits mirror TF.js' own
 * factory: ask for what the adapter offers, so large buffers and workgroups are allowed.
 * `watch` hears device loss and uncaptured errors (out of memory, validation).
 */
export function registerWebGpuBackend(adapter: GPUAdapter, watch?: GpuWatch): void {
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  else if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const limits = adapter.limits;
      const requiredFeatures: GPUFeatureName[] = [];
      if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
      const device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
          // More buffers per shader means fewer split kernels (AddN, Concat) in a transformer's backward pass.
          maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
        },
      });
      current = device;
      void device.lost.then((info) => {
        if (current === device) current = null;
        watch?.onLost(info.reason ?? 'unknown', info.message);
      });
      device.addEventListener('uncapturederror', (event) => {
        const error = (event as GPUUncapturedErrorEvent).error;
        const kind = error.constructor.name === 'GPUOutOfMemoryError' ? 'out-of-memory' : error.constructor.name === 'GPUValidationError' ? 'validation' : 'internal';
        watch?.onError(kind, error.message);
      });
      return new WebGPUBackend(device, adapter.info);
    },
    3,
  );
}
