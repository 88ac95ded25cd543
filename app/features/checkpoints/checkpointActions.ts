import { requestPersistentStorage, type SavedRun, type SessionApi } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { changeSplit } from '../dataset/importDataset.ts';
import { reimportLmText } from '../dataset/lmTextActions.ts';
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
/** Deletes every finished run of the list (they are kept for their record only: nothing is left to resume). */
export async function deleteFinishedRuns(engine: SessionApi, runs: SavedRun[]): Promise<void> {
  for (const run of runs.filter((r) => r.finished)) {
    try {
      await engine.deleteCheckpoint(run.runId);
    } catch (error) {
      get().pushError(describeError('Could not delete a finished run', error));
      break;
    }
  }
  await refreshSavedRuns(engine);
}

export async function discardRun(engine: SessionApi, run: SavedRun): Promise<void> {
  answer(run.runId);
  await deleteSavedRun(engine, run.runId);
}

/**
 * The loaded dataset, if it is the run's, is read again the way the run read it (its split; a
 * language model's max length, packing and prompt training), so the engine's identity check finds
 * the same rows after a reload put the form back to its defaults.
 */
async function readDataAsRun(handle: EngineHandle, run: SavedRun): Promise<void> {
  const want = run.datasetReadAs;
  if (!want) return;
  const s = get();
  if (run.kind === 'lm') {
    const now = s.lm.dataset.summary;
    if (!now || now.name !== run.datasetName) return;
    const options = { ...now.options, ...want };
    if (JSON.stringify(options) === JSON.stringify(now.options)) return;
    s.setLmDatasetOptions(options);
    await reimportLmText(handle);
    return;
  }
  const now = s.dataset.summary ?? s.dataset.table;
  if (!now || now.name !== run.datasetName) return;
  if (now.validationFraction === want.validationFraction && now.seed === want.seed) return;
  await changeSplit(handle, { validationFraction: want.validationFraction, seed: want.seed });
}

/** Carries an unfinished run on from its latest checkpoint, in the task it belongs to. Never rejects. */
export async function resumeRun(handle: EngineHandle, run: SavedRun): Promise<void> {
  if (get().checkpoints.resuming) return;
  get().setCheckpoints({ resuming: run.runId });
  // The run's own tab shows it (the engine's runStarted event then puts back its settings, plan and chart).
  get().setMode(run.kind === 'lm' ? 'lm' : 'images');
  // The notice goes while the run resumes; a run that could not resume (another model or dataset loaded) is offered again.
  answer(run.runId);
  try {
    await readDataAsRun(handle, run);
    const ran = await startRun(handle, run.kind === 'lm' ? 'lm' : 'classifier', { resumeFrom: run.runId });
    if (!ran) get().setCheckpoints((c) => ({ answered: c.answered.filter((id) => id !== run.runId) }));
  } finally {
    get().setCheckpoints({ resuming: null });
    await refreshSavedRuns(handle.engine);
  }
}
