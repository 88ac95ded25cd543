/**
 * Will the model fit? Sized from safetensors headers alone (see readSafetensorsHeader), as float32
 * because that is how loadHfCausalLm holds every weight whatever the file's dtype.
 */
import { EngineError } from '../../errors.ts';
import { expectedHfTensors, normaliseHfName } from './hfLayout.ts';
import type { HfModelConfig } from './hfTypes.ts';
import type { SafetensorsHeader } from '../../export/safetensorsHeader.ts';

export interface HfMemoryEstimate {
  /** Bytes of all weights as float32. */
  totalBytes: number;
  /** The biggest single tensor as float32 (usually the embedding): it must fit one GPU buffer. */
  largestTensorBytes: number;
  largestTensorName: string;
  tensorCount: number;
}

export interface DeviceLimits {
  /** GPUAdapter.limits.maxBufferSize, bytes. */
  maxBufferSize?: number;
  /** GPUAdapter.limits.maxStorageBufferBindingSize, bytes. */
  maxStorageBufferBindingSize?: number;
  /** navigator.deviceMemory, gigabytes (GiB, as the browser reports it). */
  deviceMemory?: number;
}

/**
 * Weights may take this share of device memory: training also holds activations, gradients and the
 * optimizer state, and the browser keeps a copy of each shard while it uploads.
 */
export const WEIGHT_MEMORY_SHARE = 0.5;

/**
 * Sums the float32 size of the tensors in the headers. With `config`, only tensors the model loads
 * count (mask buffers and a duplicated tied lm_head are skipped).
 */
export function estimateHfMemory(headers: SafetensorsHeader[], config?: HfModelConfig): HfMemoryEstimate {
  const wanted = config ? expectedHfTensors(config) : null;
  const counted = new Set<string>();
  let totalBytes = 0;
  let largestTensorBytes = 0;
  let largestTensorName = '';
  for (const header of headers) {
    for (const [fileName, entry] of header.tensors) {
      const name = config ? normaliseHfName(config, fileName) : fileName;
      if ((wanted && !wanted.has(name)) || counted.has(name)) continue;
      counted.add(name);
      const bytes = entry.shape.reduce((a, b) => a * b, 1) * 4;
      totalBytes += bytes;
      if (bytes > largestTensorBytes) {
        largestTensorBytes = bytes;
        largestTensorName = name;
      }
    }
  }
  return { totalBytes, largestTensorBytes, largestTensorName, tensorCount: counted.size };
}

/** Bytes in human units: MB below a gigabyte, GB above (decimal, as download sizes are shown). */
export function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Throws 'model-too-large' when the largest tensor exceeds a GPU buffer or the total exceeds the budget. */
export function checkFits(estimate: HfMemoryEstimate, limits: DeviceLimits): void {
  const bufferLimits = [limits.maxBufferSize, limits.maxStorageBufferBindingSize].filter((x): x is number => typeof x === 'number' && x > 0);
  const maxBuffer = bufferLimits.length > 0 ? Math.min(...bufferLimits) : Infinity;
  if (estimate.largestTensorBytes > maxBuffer)
    throw new EngineError('model-too-large', `The tensor "${estimate.largestTensorName}" needs ${formatBytes(estimate.largestTensorBytes)} as float32, but this GPU allows at most ${formatBytes(maxBuffer)} per buffer. Choose a smaller model.`);
  if (typeof limits.deviceMemory === 'number' && limits.deviceMemory > 0) {
    const budget = limits.deviceMemory * 2 ** 30 * WEIGHT_MEMORY_SHARE;
    if (estimate.totalBytes > budget)
      throw new EngineError('model-too-large', `The model's weights need ${formatBytes(estimate.totalBytes)} as float32, more than the ${formatBytes(budget)} this device can spare (half of its ${limits.deviceMemory} GB memory). Choose a smaller model.`);
  }
}
