import type { EngineEvent, LmEngineEvent } from '../../src/index.ts';
import { reduceLmEvents, withLmLog } from '../store/lmSlice.ts';
import type { StudioState, TrainingState } from '../store/types.ts';

const MAX_LOGS = 3;

/** The parts of the store that engine events change. */
export type EventPatch = Partial<Pick<StudioState, 'backend' | 'training' | 'session' | 'lm'>>;

export interface AppliedEvents {
  patch: EventPatch;
  /** 'warn' log messages, to show as notices. */
  warnings: string[];
}

/**
 * Folds a batch of engine events into one store patch, in order. Pure: the bridge calls it once per
 * frame, so hundreds of step events become one React update.
 */
export function applyEngineEvents(state: StudioState, events: readonly EngineEvent[]): AppliedEvents {
  let backend = state.backend;
  let session = state.session;
  let training = state.training;
  let steps: TrainingState['steps'] | null = null; // copied at most once per batch
  let epochs: TrainingState['epochs'] | null = null;
  const warnings: string[] = [];
  const touched = { backend: false, session: false, training: false, lm: false };
  // Language-model events: steps, evaluations and tokens; reduced together (one copy of the step list).
  let lm = state.lm;
  const lmEvents: LmEngineEvent[] = [];
  // While a language model loads or trains, the shared progress, run-state and log events belong to it.
  const lmLoading = state.lm.model.loading;
  const lmRun = state.lm.run.busy;

  for (const event of events) {
    // GPU faults are told as notices whatever was running: they say what happened and what to do.
    if (event.type === 'gpuFault') {
      warnings.push(event.message);
      continue;
    }
    if (event.type === 'lmStep' || event.type === 'lmEval' || event.type === 'lmToken') {
      lmEvents.push(event);
      continue;
    }
    if (event.type === 'progress' && event.task === 'load-model' && lmLoading) {
      const { done, total, label } = event;
      lm = { ...lm, model: { ...lm.model, progress: done >= total ? null : { done, total, label } } };
      touched.lm = true;
      continue;
    }
    if (lmRun && (event.type === 'runState' || (event.type === 'progress' && event.task === 'train'))) continue;
    if (lmRun && event.type === 'log') {
      if (event.level === 'warn') warnings.push(event.message);
      lm = withLmLog(lm, event.message);
      touched.lm = true;
      continue;
    }
    switch (event.type) {
      case 'backend':
        backend = { ...backend, report: event.report, requested: event.report.requested };
        touched.backend = true;
        break;
      case 'progress': {
        const { task, done, total, label } = event;
        if (task === 'train' || task === 'features') {
          training = { ...training, progress: { done, total, label } };
          touched.training = true;
        } else {
          // The import reports each file's path; a count reads better above a bar that moves 100 times a second.
          const text = task === 'import' ? `Decoding images: ${done} of ${total}` : label;
          // A finished task clears itself, so a late event can never leave a stale bar behind.
          session = { ...session, activity: done >= total ? null : { task, done, total, label: text } };
          touched.session = true;
        }
        break;
      }
      case 'step': {
        steps ??= [...training.steps];
        steps.push(event.point);
        // Step numbers may be 0- or 1-based and the engine may skip events: take whichever count is larger.
        const stepsDone = Math.max(steps.length, event.point.step);
        // After a pause the engine's elapsed time includes the pause: measure the rate afresh from here.
        const first = (training.resumed ? null : training.timing) ?? {
          firstStepsDone: stepsDone,
          firstElapsedMs: event.elapsedMs,
          lastStepsDone: stepsDone,
          lastElapsedMs: event.elapsedMs,
        };
        training = {
          ...training,
          totalSteps: event.totalSteps,
          timing: { ...first, lastStepsDone: stepsDone, lastElapsedMs: event.elapsedMs },
          resumed: false,
        };
        touched.training = true;
        break;
      }
      case 'epoch': {
        epochs ??= [...training.epochs];
        const at = epochs.findIndex((e) => e.epoch === event.point.epoch);
        if (at >= 0) epochs[at] = event.point;
        else epochs.push(event.point);
        touched.training = true;
        break;
      }
      case 'runState':
        training = { ...training, runState: event.state, resumed: training.resumed || (training.runState === 'paused' && event.state === 'training') };
        touched.training = true;
        break;
      case 'log':
        if (event.level === 'warn') warnings.push(event.message);
        // A run says few things (early stopping, the baseline); keep the last few, newest last.
        training = { ...training, logs: [...training.logs, event.message].slice(-MAX_LOGS) };
        touched.training = true;
        break;
    }
  }

  if (steps) training = { ...training, steps };
  if (epochs) training = { ...training, epochs };
  const patch: EventPatch = {};
  if (touched.backend) patch.backend = backend;
  if (touched.session) patch.session = session;
  if (touched.training) patch.training = training;
  if (lmEvents.length > 0) {
    lm = reduceLmEvents(lm, lmEvents);
    touched.lm = true;
  }
  if (touched.lm) patch.lm = lm;
  return { patch, warnings };
}
