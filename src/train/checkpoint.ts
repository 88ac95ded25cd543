/**
 * Checkpoints on the store's side: a run's identity (fingerprint, run ids), the recorder that writes
 * them, loading and the checks before a resume. What a checkpoint holds is checkpointState.ts, its
 * byte format checkpointCodec.ts (with the upgrade of older configs, checkpointUpgrade.ts).
 */
import type { EngineEvent, ResumedRun, SavedRun, TrainSettings } from '../api.ts';
import type { CheckpointStore } from '../storage/checkpointStore.ts';
import { EngineError } from '../errors.ts';
import { isQuotaError } from '../storage/fileCache.ts';
import { deserializeCheckpoint, serializeCheckpoint } from './checkpointCodec.ts';
import type { Checkpoint, CheckpointMeta, LoopState, RunKind } from './checkpointState.ts';
import { runName } from './runName.ts';
import { historyPoints } from './stepHistory.ts';

export { deserializeCheckpoint, serializeCheckpoint } from './checkpointCodec.ts';
export { upgradeCheckpoint } from './checkpointUpgrade.ts';
export { emptyHistory, historyPoints, StepHistoryRecorder, type StepHistory } from './stepHistory.ts';
export { planInWords, runName } from './runName.ts';
export { captureWeights, nonFiniteMessage, restoreWeights, stateIsFinite } from './checkpointState.ts';
export type { Checkpoint, CheckpointMeta, CheckpointTensor, EpochPosition, LmPosition, LoopState, RunKind } from './checkpointState.ts';

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
  const identity = { kind: meta.kind, startedAt: meta.startedAt, modelName: meta.model.name, datasetName: meta.dataset.name };
  return {
    name: runName(identity, meta.plan),
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
    ...(meta.dataset.readAs ? { datasetReadAs: meta.dataset.readAs } : {}),
  };
}

/** A stored summary as listed: one saved before runs had names gets one (without its plan, which it does not hold). */
export function namedRun(run: Omit<SavedRun, 'name'> & { name?: string }): SavedRun {
  return run.name ? (run as SavedRun) : { ...run, name: runName(run, null) };
}

/** What a resumed run was, for the studio (its settings, plan and the chart up to the checkpoint). */
export function resumedRunOf(checkpoint: Checkpoint): ResumedRun {
  const { meta, state } = checkpoint;
  const { resumeFrom: _drop, ...config } = meta.config;
  void _drop;
  const evals = state.position.kind === 'lm' ? state.position.evals : state.position.epochs;
  return { runId: meta.runId, config, plan: meta.plan, step: state.step, totalSteps: state.totalSteps, steps: historyPoints(state.history), evals: structuredClone(evals) };
}

/** Whether these settings save checkpoints at all (both intervals 0: none, not even at the end). */
export function checkpointsOn(settings: { everySteps: number; everySeconds: number } | undefined): boolean {
  return settings !== undefined && (settings.everySteps > 0 || settings.everySeconds > 0);
}

/** A new run's id: time-ordered and unique enough for one browser's store. */
export function newRunId(now = Date.now()): string {
  return `run-${now.toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0')}`;
}

/** How data was read, in words: "validation 15%, seed 42" (+ ", max length 64, packing" for text). */
function readAsWords(readAs: CheckpointMeta['dataset']['readAs']): string | null {
  if (!readAs) return null;
  const parts = [`validation ${Math.round(readAs.validationFraction * 1000) / 10}%`, `seed ${readAs.seed}`];
  if ('maxLength' in readAs) {
    parts.push(`max length ${readAs.maxLength}`);
    if (readAs.packing) parts.push('packing');
    if (readAs.trainOnPrompt) parts.push('training on prompts');
  }
  return parts.join(', ');
}

/** Why a checkpoint cannot resume on what is loaded now, or null when it can. */
export function resumeMismatch(meta: CheckpointMeta, kind: RunKind, model: CheckpointMeta['model'], dataset: CheckpointMeta['dataset']): string | null {
  if (meta.kind !== kind && !(meta.kind !== 'lm' && kind !== 'lm')) return `That run trained a ${meta.kind === 'lm' ? 'language model' : `${meta.kind} model`}; resume it from the ${meta.kind === 'lm' ? 'language-model' : 'image and table'} studio.`;
  if (meta.model.name !== model.name || meta.model.params !== model.params) {
    return `That run was trained on the model "${meta.model.name}"; "${model.name}" is loaded. Load the same model and dataset, then resume.`;
  }
  if (meta.dataset.hash !== dataset.hash || meta.dataset.rows !== dataset.rows) {
    const was = readAsWords(meta.dataset.readAs);
    const now = readAsWords(dataset.readAs);
    if (meta.dataset.name === dataset.name && was && now && was !== now) {
      return `That run read "${meta.dataset.name}" with ${was}; it is loaded with ${now}. Read it the same way (the studio does so when you resume there), then resume.`;
    }
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
export function resumedConfig<C extends Pick<TrainSettings, 'checkpoint' | 'resumeFrom' | 'continueFromLastRun'>>(saved: C, asked: Pick<TrainSettings, 'checkpoint'>): C {
  const { resumeFrom: _drop, ...rest } = saved;
  void _drop;
  return { ...rest, continueFromLastRun: false, checkpoint: asked.checkpoint ?? saved.checkpoint } as C;
}
