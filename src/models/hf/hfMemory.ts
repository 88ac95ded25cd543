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

/** What a LoRA (or partly full) training step holds at its peak, by part, in bytes. */
export interface LmTrainMemory {
  /** Every weight as float32, frozen ones included (held once: never copied per step). */
  weightBytes: number;
  /** Trainable parameters' gradient, accumulated gradient and AdamW's two moments. */
  optimizerBytes: number;
  /** Blocks' saved activations and their gradients (all blocks; with checkpointing, the block inputs and one block). */
  activationBytes: number;
  /** One chunk of the chunked cross-entropy and the hidden states' gradient. */
  lossBytes: number;
  /**
   * A preference run's reference pass (0 otherwise): run before the policy's, without a gradient
   * tape and one block at a time, so it is freed before the policy's activations exist; the peak is
   * the larger of the two.
   */
  referenceBytes: number;
  totalBytes: number;
  checkpointing: boolean;
}

export interface LmTrainShape {
  batch: number;
  /** Tokens per row (the dataset's maximum length). */
  seqLen: number;
  totalParams: number;
  /** Bytes the weights hold when not 4 x totalParams (float16 storage, halfWeights.ts). */
  weightBytes?: number;
  trainableParams: number;
  checkpointing: boolean;
  /**
   * The backend the run is on ('wasm' adds the heap's slack); absent: tensors only, as tf.profile
   * counts them. WASM keeps no packed copies of the weights: its products run on our GEMM
   * (kernels/wasm/wasmGemm.ts), which packs per cache block into about 1.2 MB of scratch per thread.
   */
  backend?: string;
  /** A preference run: each row is a pair whose chosen and rejected sequences go through the model in one batch (2 x batch sequences). */
  pairs?: boolean;
}

/**
 * Floats one block holds per token (per unit of the hidden size C, of the attention width A =
 * heads x head_dim and of the MLP width I) and per attention score.
 */
interface BlockFloats {
  perC: number;
  perA: number;
  /** Per unit of the key/value width (kv heads x head_dim): grouped-query attention keeps k and v once per kv head. */
  perKv: number;
  perI: number;
  perScore: number;
}

/**
 * `live` false: what one block keeps for the backward pass (the tape's saved inputs; eagerGradients.ts
 * frees each gradient and saved tensor once the backward pass is past it, and the block's other
 * intermediates go as the block ends: recomputeBlock.ts). `live` true: the peak of one block
 * recomputed in the backward pass (checkpointing): its forward on a tape, then its gradients.
 * The saved tensors are counted from the code (llama-like LoRA on q,v: the block input, both norms'
 * outputs and the residual stream between them, 4 C; the rotated q and the attention output, 2 A; the
 * rotated k and the head-major v, 2 kv; gate, up and their product, 3 I; the probabilities, 1 score;
 * gpt2: 8 C, 2 I, 1 score) and agree with the distinct buffers alive at the peak of LoRA steps
 * (testing/peakBufferBytes.ts) within 1-5%; the recomputed block's peak and each block option's share
 * (q/k norms, gemma's sandwich norms, a gelu MLP, attention soft-capping) are fitted to them.
 * hfTrainMemory.test.ts keeps every one within 25%: llama and gpt2 at three shapes each, qwen3,
 * gemma2 and phi3 at one, and DPO steps.
 */
function blockFloats(config: HfModelConfig, live: boolean): BlockFloats {
  if (config.architecture === 'gpt2') return live ? { perC: 50, perA: 0, perKv: 0, perI: 6, perScore: 4 } : { perC: 8, perA: 0, perKv: 0, perI: 2, perScore: 1 };
  const { block } = config;
  const f = live ? { perC: 12, perA: 6, perKv: 0, perI: 4, perScore: 4 } : { perC: 4, perA: 2, perKv: 2, perI: 3, perScore: 1 };
  if (block.qkNorm) f.perA += QK_NORM_PER_A;
  if (block.sandwichNorms) f.perC += SANDWICH_PER_C;
  if (block.activation !== 'silu') f.perI += GELU_PER_I;
  // A recomputed block also holds the soft-capping's live score tensors and their gradients (fitted).
  if (block.attentionSoftcap) f.perScore += (live ? 6 : 1) * SOFTCAP_PER_SCORE;
  return f;
}

// What each block option adds to the llama-like block (floats per token and unit of width, or per score).
const QK_NORM_PER_A = 1.5;
const SANDWICH_PER_C = 12;
const GELU_PER_I = 6;
const SOFTCAP_PER_SCORE = 3;
/**
 * What the WASM heap grows to beyond the live buffers' peak, as a share of it: measured on the whole
 * SmolLM2-135M step at batch 4 x 128 (heap 2,593 MB against 2,151 MB estimated without it); with
 * the smaller blocks of the fourth round, 1,916 MB estimated with it against a 1,989 MB heap.
 */
const WASM_HEAP_SLACK = 0.25;

/** Largest [m, V] float32 logits chunk of the chunked loss: small beside the weights, large enough for efficient matmuls. */
export const CHUNK_BYTES = 32 * 2 ** 20;

/** Labelled positions per chunk of the chunked loss (lm/chunkedCrossEntropy.ts) for a vocabulary: between 8 and 1024. */
export function chunkTokens(vocab: number): number {
  return Math.max(8, Math.min(1024, Math.floor(CHUNK_BYTES / (4 * vocab))));
}

/** The estimate shown before training and checked against the device's budget (lmMemoryBudget). */
export function estimateLmTrainMemory(config: HfModelConfig, shape: LmTrainShape): LmTrainMemory {
  const { seqLen, checkpointing } = shape;
  // A preference batch is B pairs: 2B sequences (chosen, then rejected) in one forward pass.
  const batch = shape.pairs ? 2 * shape.batch : shape.batch;
  const n = batch * seqLen;
  const scores = batch * config.numHeads * seqLen * seqLen;
  const width = config.numHeads * config.headDim;
  const kvWidth = config.numKvHeads * config.headDim;
  const block = (f: BlockFloats): number => 4 * (n * (f.perC * config.hiddenSize + f.perA * width + f.perKv * kvWidth + f.perI * config.intermediateSize) + f.perScore * scores);
  const liveBlock = block(blockFloats(config, true));
  const rows = Math.min(n, chunkTokens(config.vocabSize));
  // One chunk's logits and their gradient (more with the final soft-capping: its tanh and slope); the
  // hidden states, their gradient and the head's input gradient.
  // A preference step's chunk peaks at half that (fitted on llama, gemma2 and gpt2 DPO steps).
  const chunkCopies = (config.block.finalSoftcap ? 4 : 2) / (shape.pairs ? 2 : 1);
  const lossBytes = 4 * (chunkCopies * rows * config.vocabSize + 7 * n * config.hiddenSize);
  // Checkpointed: every block's input stays; then either the loss or one recomputed block is the peak.
  // Not: every block's saved tensors, with the loss on top.
  const blockBytes = checkpointing
    ? config.numLayers * 4 * n * config.hiddenSize + Math.max(0, liveBlock - lossBytes)
    : config.numLayers * block(blockFloats(config, false));
  // The WASM heap only grows: holes freed between the saved tensors do not fit the loss's larger buffers.
  const activationBytes = blockBytes + (shape.backend === 'wasm' ? WASM_HEAP_SLACK * (blockBytes + lossBytes) : 0);
  // The reference pass holds one block (no gradients: less than a recomputed one), then a loss chunk.
  const referenceBytes = shape.pairs ? Math.max(liveBlock, lossBytes) : 0;
  const weightBytes = shape.weightBytes ?? 4 * shape.totalParams;
  const optimizerBytes = 4 * 4 * shape.trainableParams;
  const peak = Math.max(activationBytes + lossBytes, referenceBytes);
  return { weightBytes, optimizerBytes, activationBytes, lossBytes, referenceBytes, totalBytes: weightBytes + optimizerBytes + peak, checkpointing };
}

/** The most a backend can hold: TF.js' WASM heap stops at 4 GiB (wasm32), whatever the machine has. */
export const WASM_HEAP_MAX = 4294901760;

/**
 * Bytes a training run may plan for on this backend: 90% of the WASM heap (the allocator needs slack),
 * half the device memory the browser reports elsewhere, or null when nothing is known (no check).
 */
export function lmMemoryBudget(backend: string, limits: DeviceLimits): number | null {
  if (backend === 'wasm') return Math.floor(WASM_HEAP_MAX * 0.9);
  if (typeof limits.deviceMemory === 'number' && limits.deviceMemory > 0) return limits.deviceMemory * 2 ** 30 * WEIGHT_MEMORY_SHARE;
  return null;
}
