import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import type { TrainConfig } from '../../../src/index.ts';
import { selectCanTrain, selectIsTrained } from '../../store/selectors.ts';
import { studioStore } from '../../store/studioStore.ts';
import { withTrainingLock } from '../../engine/trainingLock.ts';
import { syncPlan } from '../model/planSync.ts';
import { predictShownImage } from '../try/predictImage.ts';

let starting = false;

/**
 * What the engine gets: the form's settings, with the optional ones left out when they are off, and
 * "continue" only when there is a run to continue from.
 */
export function runConfig(config: TrainConfig, trained: boolean): TrainConfig {
  const { schedule, clipNorm, earlyStopping, continueFromLastRun, ...rest } = config;
  return {
    ...rest,
    ...(schedule && schedule.kind !== 'constant' ? { schedule } : {}),
    ...(clipNorm && clipNorm > 0 ? { clipNorm } : {}),
    ...(earlyStopping && earlyStopping.patience > 0 ? { earlyStopping } : {}),
    ...(continueFromLastRun && trained ? { continueFromLastRun: true } : {}),
  };
}

/**
 * Starts a run with the current config and plan (or, with `resumeFrom`, carries a saved run on from
 * its checkpoint); the chart and table follow the engine's events. Never rejects; resolves true
 * when the engine ran it.
 */
export async function startTraining(handle: EngineHandle, options: { resumeFrom?: string } = {}): Promise<boolean> {
  const { engine, flushEvents } = handle;
  if (starting || !selectCanTrain(studioStore.getState())) return false;
  // The plan's debounced sync may not have gone out yet: the run must use the plan the table shows.
  starting = true;
  let accepted: boolean;
  try {
    accepted = options.resumeFrom ? true : await syncPlan(handle);
  } finally {
    starting = false;
  }
  const store = studioStore.getState();
  if (!accepted || !selectCanTrain(store)) return false;
  // Deliver anything still buffered from an earlier run before the chart is cleared for this one.
  flushEvents();
  store.beginRun(Date.now());
  store.setPrediction(null);
  try {
    const config = runConfig(store.training.config, selectIsTrained(store));
    // One run trains in one tab (Web Locks): a second tab is told, not slowed down.
    const result = await withTrainingLock(() => engine.train(options.resumeFrom ? { ...config, resumeFrom: options.resumeFrom } : config));
    flushEvents();
    studioStore.getState().finishRun(result.state, result.steps, Date.now(), result);
    // The image in Try it now shows what the new head thinks of it.
    if (result.steps > 0) await predictShownImage(handle);
    return true;
  } catch (error) {
    flushEvents();
    const s = studioStore.getState();
    s.finishRun('error', 0, Date.now());
    const title = options.resumeFrom ? 'Could not resume the run' : store.training.config.continueFromLastRun ? 'Could not continue from the last run' : 'Training failed';
    s.pushError(describeError(title, error));
    return false;
  }
}

export async function pauseTraining({ engine }: EngineHandle): Promise<void> {
  try {
    await engine.pause();
  } catch (error) {
    studioStore.getState().pushError(describeError('Could not pause the run', error));
  }
}

export async function resumeTraining({ engine }: EngineHandle): Promise<void> {
  try {
    await engine.resume();
  } catch (error) {
    studioStore.getState().pushError(describeError('Could not resume the run', error));
  }
}

export async function stopTraining({ engine }: EngineHandle): Promise<void> {
  try {
    await engine.stop();
  } catch (error) {
    studioStore.getState().pushError(describeError('Could not stop the run', error));
  }
}
