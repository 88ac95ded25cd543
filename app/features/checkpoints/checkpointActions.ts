import { requestPersistentStorage, type SavedRun, type SessionApi } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { startRun } from '../training/trainActions.ts';

/** Checkpoints come in bursts; the list is read again at most this often. */
const REFRESH_MS = 500;

const get = () => studioStore.getState();

/** Reads the saved runs from the engine. Never rejects (a failure leaves the list as it was). */
export async function refreshSavedRuns(engine: Pick<SessionApi, 'listCheckpoints'>): Promise<void> {
  try {
    const runs = await engine.listCheckpoints();
    get().setCheckpoints({ runs, loaded: true });
  } catch {
    get().setCheckpoints({ loaded: true });
  }
}

/**
 * Keeps the list fresh as checkpoints are written, and on the first one asks the browser to keep
 * this origin's storage (navigator.storage.persist exists on pages, not in Workers). Called once per
 * page, in main.tsx; returns the unsubscribe.
 */
export function watchCheckpoints(engine: Pick<SessionApi, 'listCheckpoints' | 'subscribe'>): () => void {
  void refreshSavedRuns(engine);
  return engine.subscribe((event) => {
    if (event.type !== 'checkpoint') return;
    const { persistAsked, refreshPending } = get().checkpoints;
    if (!persistAsked) {
      get().setCheckpoints({ persistAsked: true });
      void requestPersistentStorage();
    }
    if (refreshPending) return;
    get().setCheckpoints({ refreshPending: true });
    setTimeout(() => {
      get().setCheckpoints({ refreshPending: false });
      void refreshSavedRuns(engine);
    }, REFRESH_MS);
  });
}

export async function deleteSavedRun(engine: SessionApi, runId: string): Promise<void> {
  try {
    await engine.deleteCheckpoint(runId);
  } catch (error) {
    get().pushError(describeError('Could not delete the saved run', error), 'page');
  }
  await refreshSavedRuns(engine);
}

function answer(runId: string): void {
  get().setCheckpoints((c) => ({ answered: [...c.answered, runId] }));
}

/** Discard: the unfinished run's checkpoint is deleted. */
export async function discardRun(engine: SessionApi, run: SavedRun): Promise<void> {
  answer(run.runId);
  await deleteSavedRun(engine, run.runId);
}

/** Carries an unfinished run on from its latest checkpoint, in the task it belongs to. Never rejects. */
export async function resumeRun(handle: EngineHandle, run: SavedRun): Promise<void> {
  if (get().checkpoints.resuming) return;
  get().setCheckpoints({ resuming: run.runId });
  // The notice goes while the run resumes; a run that could not resume (another model or dataset loaded) is offered again.
  answer(run.runId);
  try {
    const ran = await startRun(handle, run.kind === 'lm' ? 'lm' : 'classifier', { resumeFrom: run.runId });
    if (!ran) get().setCheckpoints((c) => ({ answered: c.answered.filter((id) => id !== run.runId) }));
  } finally {
    get().setCheckpoints({ resuming: null });
    await refreshSavedRuns(handle.engine);
  }
}
