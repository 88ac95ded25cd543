/**
 * What a checkpoint is: everything a training loop needs to carry on as if it had never stopped
 * (trainable weights, AdamW's moments and step, the data order and position, the RNG states), plus
 * what the run was (config, plan, model and dataset identity) so a resume on something else is
 * refused. Plain data, turned into one byte string for storage (see storage/checkpointStore.ts):
 *   "TTCK" | u32 version | u32 header bytes | header JSON | padding | typed arrays, 4-byte aligned.
 * The header JSON holds every value except the typed arrays, which it refers to by index.
 */
import type { EngineEvent, EpochPoint, LayerPlan, LmEvalPoint, LmPlan, LmTrainConfig, SavedRun, TrainConfig } from '../api.ts';
import type { CheckpointStore } from '../storage/checkpointStore.ts';
import { EngineError } from '../errors.ts';
import { isQuotaError } from '../storage/fileCache.ts';
import { tf } from '../tf.ts';
import type { AdamW, AdamWParam, AdamWState } from './adamw.ts';

export interface CheckpointTensor {
  /** The variable's name when saved (for people reading it; restore matches by position and shape). */
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Where an epoch-based run (images, tables) is: `batch` is the next batch of `epoch` to run. */
export interface EpochPosition {
  kind: 'epochs';
  epoch: number;
  batch: number;
  /** The epoch's shuffled row order. */
  order: Int32Array;
  epochLossSum: number;
  epochSteps: number;
  /** Finished epochs so far (early stopping is replayed from their validation losses). */
  epochs: EpochPoint[];
}

/** Where a language-model run is: the shuffled training rows and the cursor into them. */
export interface LmPosition {
  kind: 'lm';
  cursor: number;
  order: Int32Array;
  trainedTokens: number;
  evals: LmEvalPoint[];
  /** The evaluation due after this step has not run yet (the run was stopped just before it). */
  pendingEval: boolean;
}

/** A training loop's state after `step` optimizer steps. */
export interface LoopState {
  step: number;
  totalSteps: number;
  lastLoss: number;
  /** Training time so far (pauses left out), so a resumed run's ETA carries on. */
  elapsedMs: number;
  /** Trainable variables in the task's parameter order. */
  weights: CheckpointTensor[];
  optimizer: AdamWState;
  /** Generator states by role ("order": the data order; "task": dropout), from rngState(). */
  rng: Record<string, number>;
  position: EpochPosition | LmPosition;
}

export type RunKind = 'image' | 'table' | 'lm';

export interface CheckpointMeta {
  version: 1;
  runId: string;
  kind: RunKind;
  startedAt: number;
  createdAt: number;
  step: number;
  totalSteps: number;
  /** True for the final checkpoint of a run that finished: listed as saved, not offered for resuming. */
  finished: boolean;
  config: TrainConfig | LmTrainConfig;
  plan: LayerPlan | LmPlan;
  model: { name: string; params: number };
  dataset: { name: string; hash: string; rows: number };
}

export interface Checkpoint {
  meta: CheckpointMeta;
  state: LoopState;
}

// Serialisation ---------------------------------------------------------------------------------

const MAGIC = 0x4b435454; // "TTCK" little-endian
const FORMAT_VERSION = 1;

type Blob32 = Float32Array | Int32Array;

function encodeValue(value: unknown, blobs: Blob32[]): unknown {
  if (value instanceof Float32Array || value instanceof Int32Array) {
    blobs.push(value);
    return { $blob: blobs.length - 1 };
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $num: String(value) };
  if (Array.isArray(value)) return value.map((v) => encodeValue(v, blobs));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeValue(v, blobs);
    return out;
  }
  return value;
}

function decodeValue(value: unknown, blobs: Blob32[]): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeValue(v, blobs));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$blob === 'number') return blobs[o.$blob];
    if (typeof o.$num === 'string') return Number(o.$num);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decodeValue(v, blobs);
    return out;
  }
  return value;
}

export function serializeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const blobs: Blob32[] = [];
  const body = encodeValue(checkpoint, blobs);
  let offset = 0;
  const index = blobs.map((b) => {
    const entry = { type: b instanceof Float32Array ? 'f32' : 'i32', offset, length: b.length };
    offset += b.byteLength;
    return entry;
  });
  const header = new TextEncoder().encode(JSON.stringify({ body, blobs: index }));
  const start = Math.ceil((12 + header.byteLength) / 8) * 8;
  const out = new Uint8Array(start + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, header.byteLength, true);
  out.set(header, 12);
  blobs.forEach((b, i) => out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), start + index[i]!.offset));
  return out;
}

export function deserializeCheckpoint(bytes: Uint8Array): Checkpoint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || view.getUint32(0, true) !== MAGIC) throw new Error('This is not a Tabtune checkpoint.');
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new Error(`Checkpoint format ${version} is not supported (this version reads ${FORMAT_VERSION}).`);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as {
    body: unknown;
    blobs: { type: 'f32' | 'i32'; offset: number; length: number }[];
  };
  const start = Math.ceil((12 + headerLength) / 8) * 8;
  const blobs = header.blobs.map(({ type, offset, length }) => {
    // Copied out, so each array owns an aligned buffer whatever the input's offset.
    const raw = bytes.slice(start + offset, start + offset + length * 4);
    if (raw.byteLength !== length * 4) throw new Error('The checkpoint is truncated.');
    return type === 'f32' ? new Float32Array(raw.buffer) : new Int32Array(raw.buffer);
  });
  return decodeValue(header.body, blobs) as Checkpoint;
}

// Capture and restore ---------------------------------------------------------------------------

/** Reads the trainable weights and optimizer state (async .data(), never dataSync). */
export async function captureWeights(params: AdamWParam[], optimizer: AdamW): Promise<Pick<LoopState, 'weights' | 'optimizer'>> {
  const values = await Promise.all(params.map((p) => p.variable.data() as Promise<Float32Array>));
  const weights = params.map((p, i) => ({ name: p.variable.name, shape: [...p.variable.shape], values: Float32Array.from(values[i]!) }));
  return { weights, optimizer: await optimizer.exportState() };
}

/** Puts saved weights and optimizer state back into the run's variables. */
export function restoreWeights(params: AdamWParam[], optimizer: AdamW, state: Pick<LoopState, 'weights' | 'optimizer'>): void {
  if (state.weights.length !== params.length) {
    throw new Error(`The checkpoint has ${state.weights.length} trainable tensors; this run has ${params.length}: the plan or model differs.`);
  }
  params.forEach((p, i) => {
    const w = state.weights[i]!;
    if (w.shape.join('x') !== p.variable.shape.join('x')) {
      throw new Error(`Checkpoint tensor ${w.name} is [${w.shape.join(', ')}]; ${p.variable.name} is [${p.variable.shape.join(', ')}]: the plan or model differs.`);
    }
    tf.tidy(() => p.variable.assign(tf.tensor(w.values, p.variable.shape, 'float32')));
  });
  optimizer.importState(state.optimizer);
}

/** True when every saved weight and moment is a finite number. */
export function stateIsFinite(state: Pick<LoopState, 'weights' | 'optimizer'>): boolean {
  const finite = (a: Float32Array) => a.every((x) => Number.isFinite(x));
  return state.weights.every((w) => finite(w.values)) && state.optimizer.m.every(finite) && state.optimizer.v.every(finite);
}

/** The sentence shown when a loss stops being a number. */
export function nonFiniteMessage(loss: number, atStep: number, toStep: number): string {
  const what = Number.isNaN(loss) ? 'NaN' : 'infinite';
  const where = toStep > 0 ? `the weights were rolled back to step ${toStep}` : 'the weights were rolled back to where the run started';
  return `The loss became ${what} at step ${atStep}; ${where}. Lower the learning rate (or turn on gradient clipping) and train again.`;
}

/** A short, stable fingerprint of a dataset's rows (FNV-1a over the numbers and strings given). */
export function fingerprint(...parts: (ArrayLike<number> | string | number)[]): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h ^= x & 0xff;
    h = Math.imul(h, 0x01000193);
    h ^= (x >>> 8) & 0xff;
    h = Math.imul(h, 0x01000193);
    h ^= (x >>> 16) & 0xff;
    h = Math.imul(h, 0x01000193);
    h ^= (x >>> 24) & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  const f32 = new Float32Array(1);
  const i32 = new Int32Array(f32.buffer);
  for (const part of parts) {
    if (typeof part === 'string') {
      for (let i = 0; i < part.length; i++) mix(part.charCodeAt(i));
    } else if (typeof part === 'number') {
      f32[0] = part;
      mix(i32[0]!);
    } else {
      mix(part.length);
      for (let i = 0; i < part.length; i++) {
        f32[0] = part[i]!;
        mix(i32[0]!);
      }
    }
    mix(0x2c);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function savedRunOf(meta: CheckpointMeta, bytes: number): SavedRun {
  return {
    runId: meta.runId,
    kind: meta.kind,
    startedAt: meta.startedAt,
    savedAt: meta.createdAt,
    step: meta.step,
    totalSteps: meta.totalSteps,
    finished: meta.finished,
    bytes,
    modelName: meta.model.name,
    datasetName: meta.dataset.name,
  };
}

/** Whether these settings save checkpoints at all (both intervals 0: none, not even at the end). */
export function checkpointsOn(settings: { everySteps: number; everySeconds: number } | undefined): boolean {
  return settings !== undefined && (settings.everySteps > 0 || settings.everySeconds > 0);
}

/** A new run's id: time-ordered and unique enough for one browser's store. */
export function newRunId(now = Date.now()): string {
  return `run-${now.toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0')}`;
}

/** Why a checkpoint cannot resume on what is loaded now, or null when it can. */
export function resumeMismatch(meta: CheckpointMeta, kind: RunKind, model: CheckpointMeta['model'], dataset: CheckpointMeta['dataset']): string | null {
  if (meta.kind !== kind && !(meta.kind !== 'lm' && kind !== 'lm')) return `That run trained a ${meta.kind === 'lm' ? 'language model' : `${meta.kind} model`}; resume it from the ${meta.kind === 'lm' ? 'language-model' : 'image and table'} studio.`;
  if (meta.model.name !== model.name || meta.model.params !== model.params) {
    return `That run was trained on the model "${meta.model.name}"; "${model.name}" is loaded. Load the same model and dataset, then resume.`;
  }
  if (meta.dataset.hash !== dataset.hash || meta.dataset.rows !== dataset.rows) {
    return `That run was trained on the dataset "${meta.dataset.name}" (${meta.dataset.rows} rows, same split); the loaded dataset "${dataset.name}" (${dataset.rows} rows) differs. Load the same model and dataset, then resume.`;
  }
  return null;
}

/**
 * Writes a run's checkpoints to a store: serialises, puts atomically, reports. A failed write never
 * stops the run: a warning says so, and the store still holds the previous checkpoint.
 */
export class CheckpointRecorder {
  lastSavedStep: number | null = null;
  private written = false;

  constructor(
    private readonly store: CheckpointStore,
    private readonly meta: Omit<CheckpointMeta, 'createdAt' | 'step' | 'totalSteps' | 'finished'>,
    private readonly emit: (event: EngineEvent) => void,
    private readonly onFirstWrite?: () => void,
  ) {}

  get runId(): string {
    return this.meta.runId;
  }

  async write(state: LoopState, finished: boolean): Promise<boolean> {
    const meta: CheckpointMeta = { ...this.meta, createdAt: Date.now(), step: state.step, totalSteps: state.totalSteps, finished };
    try {
      const bytes = serializeCheckpoint({ meta, state });
      await this.store.put(meta.runId, bytes, savedRunOf(meta, bytes.byteLength));
      this.lastSavedStep = state.step;
      if (!this.written) {
        this.written = true;
        this.onFirstWrite?.();
      }
      this.emit({ type: 'checkpoint', runId: meta.runId, step: state.step, bytes: bytes.byteLength, finished });
      return true;
    } catch (error) {
      const previous = this.lastSavedStep === null ? 'No earlier checkpoint of this run was saved' : `The previous checkpoint (step ${this.lastSavedStep}) is intact`;
      const why = isQuotaError(error) ? "the browser's storage is full" : `saving failed (${error instanceof Error ? error.message : String(error)})`;
      const fix = isQuotaError(error) ? ' Delete saved runs to make room.' : '';
      this.emit({ type: 'log', level: 'warn', message: `The checkpoint at step ${state.step} could not be saved: ${why}. ${previous}; training goes on.${fix}` });
      return false;
    }
  }
}

/** A saved run's latest checkpoint, read and verified; EngineErrors a person can act on. */
export async function loadCheckpoint(store: CheckpointStore | undefined, runId: string): Promise<Checkpoint> {
  if (!store) throw new EngineError('no-checkpoints', 'Checkpoints are not kept here (no browser storage), so there is nothing to resume.');
  let bytes: Uint8Array | null;
  try {
    bytes = await store.latest(runId);
  } catch (e) {
    throw new EngineError('checkpoint-corrupt', e instanceof Error ? e.message : String(e));
  }
  if (!bytes) throw new EngineError('checkpoint-missing', `There is no saved run "${runId}" (it may have been deleted).`);
  try {
    return deserializeCheckpoint(bytes);
  } catch (e) {
    throw new EngineError('checkpoint-corrupt', `The checkpoint of ${runId} cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The config a resumed run uses: its own, with the checkpoint settings asked for now. */
export function resumedConfig<C extends { checkpoint?: CheckpointMeta['config']['checkpoint']; resumeFrom?: string; continueFromLastRun?: boolean }>(saved: C, asked: C): C {
  const { resumeFrom: _drop, ...rest } = saved;
  void _drop;
  return { ...rest, continueFromLastRun: false, checkpoint: asked.checkpoint ?? saved.checkpoint } as C;
}
