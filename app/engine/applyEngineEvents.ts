import type { EngineEvent, TaskKind } from '../../src/index.ts';
import { applyRunStarted } from '../features/checkpoints/resumedRun.ts';
import { appendTokens } from '../store/generationSlice.ts';
import type { Runs, TaskRun } from '../store/runSlice.ts';
import type { StudioState } from '../store/state.ts';

const MAX_LOGS = 3;

/** The parts of the store that engine events change. */
export type EventPatch = Partial<Pick<StudioState, 'backend' | 'runs' | 'session' | 'lm' | 'generation' | 'plan' | 'checkpoints'>>;

export interface AppliedEvents {
  patch: EventPatch;
  /** 'warn' log messages and GPU faults, to show as notices. */
  warnings: string[];
}

/** The task the shared progress and log events belong to: the run going (the engine runs one at a time). */
function currentTask(state: StudioState): TaskKind {
  if (state.session.activity?.task) return state.session.activity.task;
  return state.runs.lm.busy || state.runs.lm.starting ? 'lm' : 'classifier';
}

/** One step event on a run: the step appended (to a list copied once per batch) and the timing for the ETA. */
function applyStep(run: TaskRun, stepsDone: number, totalSteps: number, elapsedMs: number): TaskRun {
  // After a pause the engine's elapsed time includes the pause: measure the rate afresh from here.
  const first = (run.resumed ? null : run.timing) ?? { firstStepsDone: stepsDone, firstElapsedMs: elapsedMs, lastStepsDone: stepsDone, lastElapsedMs: elapsedMs };
  return { ...run, totalSteps, timing: { ...first, lastStepsDone: stepsDone, lastElapsedMs: elapsedMs }, resumed: false };
}

/**
 * Folds a batch of engine events into one store patch, in order. Pure: the bridge calls it once per
 * frame, so hundreds of step events become one React update.
 */
export function applyEngineEvents(state: StudioState, events: readonly EngineEvent[]): AppliedEvents {
  let { backend, session, lm, generation, plan, checkpoints } = state;
  const runs: { -readonly [T in TaskKind]: TaskRun } = { ...state.runs };
  const copied = new Set<TaskKind>(); // step lists copied at most once per batch
  const warnings: string[] = [];
  const touched = new Set<keyof EventPatch>();
  const tokens: { requestId: number; text: string }[] = [];

  for (const event of events) {
    switch (event.type) {
      case 'gpuFault':
        // GPU faults are told as notices whatever was running: they say what happened and what to do.
        warnings.push(event.message);
        break;
      case 'backend':
        backend = { ...backend, report: event.report, requested: event.report.requested };
        touched.add('backend');
        break;
      case 'activity':
        session = { ...session, activity: event.activity };
        touched.add('session');
        break;
      case 'trainedRun': {
        session = { ...session, trainedRun: { ...session.trainedRun, [event.info.task]: event.info } };
        touched.add('session');
        // The engine dropped the run: its result is no longer there to show.
        if (!event.info.present && runs[event.info.task].result) {
          runs[event.info.task] = { ...runs[event.info.task], result: null, imported: false };
          touched.add('runs');
        }
        break;
      }
      case 'progress': {
        const { task, done, total, label } = event;
        if (task === 'train' || task === 'features') {
          const t = currentTask(state);
          runs[t] = { ...runs[t], preparing: { done, total, label } };
          touched.add('runs');
        } else if (task === 'load-model' && state.lm.model.loading) {
          lm = { ...lm, model: { ...lm.model, progress: done >= total ? null : { done, total, label } } };
          touched.add('lm');
        } else {
          // The import reports each file's path; a count reads better above a bar that moves 100 times a second.
          const text = task === 'import' ? `Decoding images: ${done} of ${total}` : label;
          // A finished task clears itself, so a late event can never leave a stale bar behind.
          session = { ...session, progress: done >= total ? null : { task, done, total, label: text } };
          touched.add('session');
        }
        break;
      }
      case 'runStarted': {
        const next = applyRunStarted({ runs: runs as Runs, plan, lm, session, checkpoints }, event.task, event.runId, event.resumed);
        for (const key of Object.keys(next) as (keyof EventPatch)[]) touched.add(key);
        if (next.runs) Object.assign(runs, next.runs);
        plan = next.plan ?? plan;
        lm = next.lm ?? lm;
        session = next.session ?? session;
        checkpoints = next.checkpoints ?? checkpoints;
        break;
      }
      case 'step': {
        const run = runs[event.task];
        const steps = copied.has(event.task) ? run.steps : [...run.steps];
        copied.add(event.task);
        steps.push(event.point);
        // The engine may skip events: take whichever count is larger.
        runs[event.task] = applyStep({ ...run, steps }, Math.max(steps.length, event.point.step), event.totalSteps, event.elapsedMs);
        touched.add('runs');
        break;
      }
      case 'eval': {
        const run = runs[event.task];
        // An evaluation reported twice (same step) replaces the first; kept in step order.
        const evals = run.evals.filter((e) => e.step !== event.point.step);
        evals.push(event.point);
        evals.sort((a, b) => a.step - b.step);
        runs[event.task] = { ...run, evals };
        touched.add('runs');
        break;
      }
      case 'runState': {
        const run = runs[event.task];
        runs[event.task] = { ...run, runState: event.state, resumed: run.resumed || (run.runState === 'paused' && event.state === 'training') };
        touched.add('runs');
        break;
      }
      case 'log': {
        if (event.level === 'warn') warnings.push(event.message);
        // A run says few things (early stopping, the baseline); keep the last few, newest last.
        const t = currentTask(state);
        runs[t] = { ...runs[t], logs: [...runs[t].logs, event.message].slice(-MAX_LOGS) };
        touched.add('runs');
        break;
      }
      case 'checkpoint':
        break;
      case 'lmToken':
        tokens.push(event);
        break;
    }
  }

  if (tokens.length > 0) {
    generation = appendTokens(generation, tokens);
    touched.add('generation');
  }
  const patch: EventPatch = {};
  if (touched.has('backend')) patch.backend = backend;
  if (touched.has('session')) patch.session = session;
  if (touched.has('runs')) patch.runs = runs as Runs;
  if (touched.has('lm')) patch.lm = lm;
  if (touched.has('generation')) patch.generation = generation;
  if (touched.has('plan')) patch.plan = plan;
  if (touched.has('checkpoints')) patch.checkpoints = checkpoints;
  return { patch, warnings };
}
