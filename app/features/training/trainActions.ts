import type { TaskKind, TrainConfig } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { withTrainingLock } from '../../engine/trainingLock.ts';
import type { ResultOf } from '../../store/runSlice.ts';
import { selectCanContinue, selectCanResume, selectCanTrain, selectTaskRunning } from '../../store/selectors.ts';
import { studioStore } from '../../store/studioStore.ts';
import { syncLmPlan } from '../plan/lmPlanSync.ts';
import { syncPlan } from '../plan/planSync.ts';
import { predictShownImage } from '../try/predictImage.ts';

const get = () => studioStore.getState();

/** The task whose run the pause / resume / stop buttons act on (the language model's, when it is the one going). */
function runningTask(): TaskKind {
  return selectTaskRunning(get(), 'lm') ? 'lm' : 'classifier';
}

/**
 * What the engine gets: the form's settings, with the optional ones left out when they are off, and
 * "continue" only when there is a run to continue from.
 */
export function runConfig<C extends TrainConfig>(config: C, canContinue: boolean): C {
  const { schedule, clipNorm, earlyStopping, continueFromLastRun, ...rest } = config;
  return {
    ...rest,
    ...(schedule && schedule.kind !== 'constant' ? { schedule } : {}),
    ...(clipNorm && clipNorm > 0 ? { clipNorm } : {}),
    ...(earlyStopping && earlyStopping.patience > 0 ? { earlyStopping } : {}),
    ...(continueFromLastRun && canContinue ? { continueFromLastRun: true } : {}),
  } as C;
}

/** A language-model run with the Preferences objective carries its settings (absent: supervised tuning). */
function withObjective<C extends TrainConfig>(config: C): C {
  const { preference } = get();
  return config.task === 'lm' && preference.objective === 'preference' ? { ...config, preference: { ...preference.settings } } : config;
}

function failureTitle(task: TaskKind, resumeFrom: string | undefined): string {
  if (resumeFrom) return 'Could not resume the run';
  return get().runs[task].config.continueFromLastRun ? 'Could not continue from the last run' : 'Training failed';
}

/**
 * Starts a run of the task with its settings and plan (or, with `resumeFrom`, carries a saved run on
 * from its checkpoint); the run area follows the engine's events. Never rejects; resolves true when
 * the engine ran it.
 */
export async function startRun(handle: EngineHandle, task: TaskKind, options: { resumeFrom?: string } = {}): Promise<boolean> {
  const { engine, flushEvents } = handle;
  // A resumed run brings its own plan: it needs only the model and data loaded.
  const ready = options.resumeFrom ? selectCanResume : selectCanTrain;
  if (get().runs[task].starting || !ready(get(), task)) return false;
  // The plan's debounced sync may not have gone out yet: the run must use the plan the table shows.
  get().setRunStarting(task, true);
  let accepted: boolean;
  try {
    accepted = options.resumeFrom ? true : await (task === 'lm' ? syncLmPlan(handle) : syncPlan(handle));
  } finally {
    get().setRunStarting(task, false);
  }
  if (!accepted) {
    const planError = task === 'lm' ? get().lm.plan.error : get().plan.error;
    if (planError) get().pushError({ title: 'Could not start training', message: planError, code: null }, `${task}/train`);
    return false;
  }
  if (!ready(get(), task)) return false;
  // Deliver anything still buffered from an earlier run before the chart is cleared for this one.
  flushEvents();
  get().clearErrorsAt(`${task}/train`);
  get().beginRun(task, Date.now());
  if (task === 'classifier') get().setPrediction(null);
  const title = failureTitle(task, options.resumeFrom);
  try {
    const config = withObjective(runConfig(get().runs[task].config, selectCanContinue(get(), task)));
    // One run trains in one tab (Web Locks): a second tab is told, not slowed down.
    const result = (await withTrainingLock(() => engine.train(options.resumeFrom ? { ...config, resumeFrom: options.resumeFrom } : config))) as ResultOf<typeof task>;
    flushEvents();
    get().finishRun(task, result.state, Date.now(), result);
    if (result.steps > 0) {
      // The image in Try it now shows what the new head thinks of it; a new adapter is at full strength.
      if (task === 'classifier') await predictShownImage(handle);
      else get().clearLmImportedLoss();
    }
    return true;
  } catch (error) {
    flushEvents();
    get().finishRun(task, 'error', Date.now());
    get().pushError(describeError(title, error), `${task}/train`);
    return false;
  }
}

export async function pauseRun({ engine }: EngineHandle): Promise<void> {
  try {
    await engine.pause();
  } catch (error) {
    get().pushError(describeError('Could not pause the run', error), `${runningTask()}/train`);
  }
}

export async function resumePausedRun({ engine }: EngineHandle): Promise<void> {
  try {
    await engine.resume();
  } catch (error) {
    get().pushError(describeError('Could not resume the run', error), `${runningTask()}/train`);
  }
}

/** Ends the run (or a generation) after the current step. */
export async function stopRun({ engine }: EngineHandle): Promise<void> {
  try {
    await engine.stop();
  } catch (error) {
    get().pushError(describeError('Could not stop', error), `${runningTask()}/train`);
  }
}
