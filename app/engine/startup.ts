import type { BackendChoice } from '../../src/index.ts';
import { importDataset } from '../features/dataset/importDataset.ts';
import { openLmSample } from '../features/model/lmModelActions.ts';
import { studioStore } from '../store/studioStore.ts';
import type { StartupPhase } from '../store/sessionSlice.ts';
import { describeError } from './describeError.ts';
import type { EngineHandle } from './EngineProvider.tsx';
import { fetchSampleDataset, MODEL_PATH, SAMPLE_MANIFEST_PATH } from './sampleDataset.ts';

const FAILURE_TITLES: Partial<Record<StartupPhase, string>> = {
  backend: 'Could not start the compute backend',
  model: 'Could not load the built-in model',
  dataset: 'Could not load the sample dataset',
};

/**
 * Opens the studio: backend, then the built-in model, then the sample dataset (and, when the page
 * opens on the language-model half, its built-in model and sample chat). Each step shows its
 * progress; a failure is reported in the banner and marks the studio `data-ready="error"` (the user
 * can still pick another backend or drop their own folder). Never rejects.
 */
export async function runStartup(
  handle: EngineHandle,
  choice: BackendChoice,
  baseUri: string = document.baseURI,
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
): Promise<void> {
  if (studioStore.getState().session.starting) return;
  const store = studioStore.getState();
  store.setStarting(true);
  let phase: StartupPhase = 'backend';
  try {
    store.setPhase(phase);
    store.setBackendRequested(choice);
    store.setBackendSwitching(true);
    try {
      store.setBackendReport(await handle.engine.setBackend(choice));
    } finally {
      studioStore.getState().setBackendSwitching(false);
    }

    phase = 'model';
    store.setPhase(phase);
    store.setModelLoading(true);
    store.setProgress({ task: 'load-model', done: 0, total: 1, label: 'Loading the built-in model' });
    try {
      store.setModelSummary(await handle.engine.loadModel(new URL(MODEL_PATH, baseUri).href));
    } finally {
      handle.flushEvents();
      studioStore.getState().setModelLoading(false);
      studioStore.getState().setProgress(null);
    }

    phase = 'dataset';
    store.setPhase(phase);
    const sample = await fetchSampleDataset(new URL(SAMPLE_MANIFEST_PATH, baseUri).href, fetchFn, (done, total) =>
      studioStore.getState().setProgress({ task: 'download', done, total, label: 'Downloading the sample images' }),
    );
    // importDataset reports its own failure in the banner; startup only records that it failed.
    const ok = await importDataset(handle, sample.name, sample.files);
    // Opened on the language-model half: it is ready when its sample is (else it opens on first view).
    if (studioStore.getState().session.mode === 'lm') await openLmSample(handle, baseUri);
    studioStore.getState().setPhase(ok ? 'ready' : 'error');
  } catch (error) {
    const s = studioStore.getState();
    s.setProgress(null);
    s.pushError(describeError(FAILURE_TITLES[phase] ?? 'The studio could not start', error));
    s.setPhase('error');
  } finally {
    studioStore.getState().setStarting(false);
  }
}
