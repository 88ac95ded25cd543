import type { DatasetFile } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { predictShownImage } from '../try/predictImage.ts';

/**
 * Takes back an exported run (the .zip, or its unzipped folder) and makes it the current run: the
 * plan table shows its plan, the evaluation panel its evaluation on the loaded dataset, and Try it
 * and Export use it. A failure shows the engine's sentence and changes nothing. Never rejects.
 */
export async function importRunFiles(handle: EngineHandle, files: DatasetFile[]): Promise<boolean> {
  const store = studioStore.getState();
  if (files.length === 0) return false;
  store.setProgress({ task: 'import', done: 0, total: 1, label: 'Importing the run' });
  try {
    const imported = await handle.engine.importRun(files);
    const s = studioStore.getState();
    s.replacePlan(imported.plan);
    s.setImportedResult(imported.result);
    s.setPrediction(null);
    await predictShownImage(handle);
    return true;
  } catch (error) {
    studioStore.getState().pushError(describeError('Could not import the run', error), 'classifier/export');
    return false;
  } finally {
    handle.flushEvents();
    studioStore.getState().setProgress(null);
  }
}
