import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { requestPersistentStorage, type EngineApi, type SavedRun } from '../../../src/index.ts';
import { studioStore } from '../../store/studioStore.ts';
import { startTraining } from '../training/trainActions.ts';
import { savedRunsStore } from './savedRunsStore.ts';

/** Reads the saved runs from the engine. Never rejects (a failure leaves the list as it was). */
export async function refreshSavedRuns(engine: EngineApi): Promise<void> {
  try {
    const runs = await engine.listCheckpoints();
    savedRunsStore.setState({ runs, loaded: true });
  } catch {
    savedRunsStore.setState({ loaded: true });
  }
}

let persistAsked = false;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Keeps the list fresh as checkpoints are written, and on the first one asks the browser to keep
 * this origin's storage (navigator.storage.persist exists on pages, not in Workers).
 */
export function watchCheckpoints(engine: EngineApi): () => void {
  void refreshSavedRuns(engine);
  return engine.subscribe((event) => {
    if (event.type !== 'checkpoint') return;
    if (!persistAsked) {
      persistAsked = true;
      void requestPersistentStorage();
    }
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refreshSavedRuns(engine);
    }, 500);
  });
}

export async function deleteSavedRun(engine: EngineApi, runId: string): Promise<void> {
  try {
    await engine.deleteCheckpoint(runId);
  } catch (error) {
    studioStore.getState().pushError(describeError('Could not delete the saved run', error));
  }
  await refreshSavedRuns(engine);
}

function answer(runId: string): void {
  const { answered } = savedRunsStore.getState();
  savedRunsStore.setState({ answered: [...answered, runId] });
}

/** Discard: the unfinished run's checkpoint is deleted. */
export async function discardRun(engine: EngineApi, run: SavedRun): Promise<void> {
  answer(run.runId);
  await deleteSavedRun(engine, run.runId);
}

/** Carries an unfinished run on from its latest checkpoint, in the half of the studio it belongs to. Never rejects. */
export async function resumeRun(handle: EngineHandle, run: SavedRun): Promise<void> {
  if (savedRunsStore.getState().resuming) return;
  savedRunsStore.setState({ resuming: run.runId });
  // The notice goes while the run resumes; a run that could not resume (another model or dataset loaded) is offered again.
  answer(run.runId);
  try {
    const ran = run.kind === 'lm' ? await resumeLm(handle, run) : await startTraining(handle, { resumeFrom: run.runId });
    if (!ran) savedRunsStore.setState((s) => ({ answered: s.answered.filter((id) => id !== run.runId) }));
  } finally {
    savedRunsStore.setState({ resuming: null });
    await refreshSavedRuns(handle.engine);
  }
}

async function resumeLm(handle: EngineHandle, run: SavedRun): Promise<boolean> {
  const get = studioStore.getState;
  if (get().lm.run.busy) return false;
  handle.flushEvents();
  get().beginLmRun();
  try {
    const result = await handle.engine.lmTrain({ ...get().lm.run.config, resumeFrom: run.runId });
    handle.flushEvents();
    get().finishLmRun(result);
    return true;
  } catch (error) {
    handle.flushEvents();
    get().finishLmRun(null);
    get().pushError(describeError('Could not resume the run', error));
    return false;
  }
}
