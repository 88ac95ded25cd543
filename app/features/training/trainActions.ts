import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { selectCanTrain } from '../../store/selectors.ts';
import { studioStore } from '../../store/studioStore.ts';
import { syncPlan } from '../model/planSync.ts';
import { predictShownImage } from '../try/predictImage.ts';

let starting = false;

/** Starts a run with the current config and plan; the chart and table follow the engine's events. Never rejects. */
export async function startTraining(handle: EngineHandle): Promise<void> {
  const { engine, flushEvents } = handle;
  if (starting || !selectCanTrain(studioStore.getState())) return;
  // The plan's debounced sync may not have gone out yet: the run must use the plan the table shows.
  starting = true;
  let accepted: boolean;
  try {
    accepted = await syncPlan(handle);
  } finally {
    starting = false;
  }
  const store = studioStore.getState();
  if (!accepted || !selectCanTrain(store)) return;
  // Deliver anything still buffered from an earlier run before the chart is cleared for this one.
  flushEvents();
  store.beginRun(Date.now());
  store.setPrediction(null);
  try {
    const result = await engine.train(store.training.config);
    flushEvents();
    studioStore.getState().finishRun(result.state, result.steps, Date.now());
    // The image in Try it now shows what the new head thinks of it.
    if (result.steps > 0) await predictShownImage(handle);
  } catch (error) {
    flushEvents();
    const s = studioStore.getState();
    s.finishRun('error', 0, Date.now());
    s.pushError(describeError('Training failed', error));
  }
}

export async function stopTraining({ engine }: EngineHandle): Promise<void> {
  try {
    await engine.stop();
  } catch (error) {
    studioStore.getState().pushError(describeError('Could not stop the run', error));
  }
}
