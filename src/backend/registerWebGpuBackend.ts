import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { tf } from '../tf.ts';

/**
 * Registers TF.js' WebGPU backend on a device we create from our own adapter (TF.js' default
 * factory would request a second adapter we could not show or watch). Limits mirror TF.js' own
 * factory: ask for what the adapter offers, so large buffers and workgroups are allowed.
 */
export function registerWebGpuBackend(adapter: GPUAdapter): void {
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
        },
      });
      return new WebGPUBackend(device, adapter.info);
    },
    3,
  );
}
