/**
 * Will the model fit? Sized from safetensors headers alone (see readSafetensorsHeader), as float32
 * because that is how loadHfCausalLm holds every weight whatever the file's dtype.
 */
import { EngineError } from '../../errors.ts';
import { embeddingName, expectedHfTensors, LM_HEAD, normaliseHfName } from './hfLayout.ts';
import type { HfModelConfig } from './hfTypes.ts';
import type { SafetensorsHeader } from '../../export/safetensorsHeader.ts';

export interface HfMemoryEstimate {
  /** Bytes of all weights as float32. */
  totalBytes: number;
  /** The biggest tensor as float32 that must fit one GPU buffer (every one but the vocabulary tables). */
  largestTensorBytes: number;
  largestTensorName: string;
  /** The biggest vocabulary table (embedding, lm_head) as float32: held in row chunks where it exceeds a buffer. */
  largestTableBytes: number;
  largestTableName: string;
  /** Bytes of one row of that table (hidden size x 4): the least a chunk holds. */
  tableRowBytes: number;
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
  const out: HfMemoryEstimate = { totalBytes: 0, largestTensorBytes: 0, largestTensorName: '', largestTableBytes: 0, largestTableName: '', tableRowBytes: 0, tensorCount: 0 };
  for (const header of headers) {
    for (const [fileName, entry] of header.tensors) {
      const name = config ? normaliseHfName(config, fileName) : fileName;
      if ((wanted && !wanted.has(name)) || counted.has(name)) continue;
      counted.add(name);
      const bytes = entry.shape.reduce((a, b) => a * b, 1) * 4;
      out.totalBytes += bytes;
      if (isVocabularyTable(name, config) && entry.shape.length === 2) {
        if (bytes > out.largestTableBytes) Object.assign(out, { largestTableBytes: bytes, largestTableName: name, tableRowBytes: entry.shape[1]! * 4 });
      } else if (bytes > out.largestTensorBytes) {
        Object.assign(out, { largestTensorBytes: bytes, largestTensorName: name });
      }
    }
  }
  out.tensorCount = counted.size;
  return out;
}

/** The embedding and lm_head, which loadHfCausalLm can split by rows (without a config: by their usual names). */
function isVocabularyTable(name: string, config?: HfModelConfig): boolean {
  return config ? name === embeddingName(config) || name === LM_HEAD : /(^|\.)(embed_tokens|wte|lm_head)\.weight$/.test(name);
}

/** The most bytes one tensor may take on the device: the smaller of its buffer limits (no limit off WebGPU). */
export function maxTensorBytes(limits: DeviceLimits): number {
  const bufferLimits = [limits.maxBufferSize, limits.maxStorageBufferBindingSize].filter((x): x is number => typeof x === 'number' && x > 0);
  return bufferLimits.length > 0 ? Math.min(...bufferLimits) : Infinity;
}

export function tooLargeForBuffer(name: string, bytes: number, maxBytes: number): EngineError {
  return new EngineError('model-too-large', `The tensor "${name}" needs ${formatBytes(bytes)} as float32, but this GPU allows at most ${formatBytes(maxBytes)} per buffer. Choose a smaller model.`);
}

/** Bytes in human units: kB below a megabyte, MB below a gigabyte, GB above (decimal, as download sizes are shown). */
export function formatBytes(bytes: number): string {
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Throws 'model-too-large' when a tensor that cannot be split exceeds a GPU buffer, or the total
 * exceeds the budget. Vocabulary tables pass at any size: loadHfCausalLm splits them by rows.
 */
export function checkFits(estimate: HfMemoryEstimate, limits: DeviceLimits): void {
  const maxBuffer = maxTensorBytes(limits);
  if (estimate.largestTensorBytes > maxBuffer) throw tooLargeForBuffer(estimate.largestTensorName, estimate.largestTensorBytes, maxBuffer);
  // A vocabulary table bigger than a buffer is held in row chunks; only a single row must fit.
  if (estimate.tableRowBytes > maxBuffer) throw tooLargeForBuffer(`one row of ${estimate.largestTableName}`, estimate.tableRowBytes, maxBuffer);
  if (typeof limits.deviceMemory === 'number' && limits.deviceMemory > 0) {
    const budget = limits.deviceMemory * 2 ** 30 * WEIGHT_MEMORY_SHARE;
    if (estimate.totalBytes > budget)
      throw new EngineError('model-too-large', `The model's weights need ${formatBytes(estimate.totalBytes)} as float32, more than the ${formatBytes(budget)} this device can spare (half of its ${limits.deviceMemory} GB memory). Choose a smaller model.`);
  }
}
