import type { CsvImportOptions, DatasetFile, SplitOptions, TabularTask } from '../../../src/index.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { describeError } from '../../engine/describeError.ts';
import { studioStore } from '../../store/studioStore.ts';
import { pickThumbnails } from './pickThumbnails.ts';

/** Typing "25" asks for 2% and then 25%: wait for the typing to settle before re-splitting. */
const SPLIT_SETTLE_MS = 300;

/**
 * Imports a dataset into the engine and, only once that succeeded, makes it the studio's dataset.
 * A failed import leaves the previous dataset (summary, thumbnails, files) exactly as it was.
 * Resolves to whether the import succeeded; never rejects.
 */
export function importDataset(
  handle: EngineHandle,
  name: string,
  files: DatasetFile[],
  split?: SplitOptions,
): Promise<boolean> {
  return enqueue(handle, () => runImport(handle, name, files, split ?? studioStore.getState().dataset.split));
}

/** Imports and re-splits run one after another (the page's import chain), so the engine's dataset and the store's always match the last request. */
function enqueue<T>({ held }: EngineHandle, work: () => Promise<T>): Promise<T> {
  const run = held.importQueue.then(work);
  held.importQueue = run;
  return run;
}

async function runImport(
  handle: EngineHandle,
  name: string,
  files: DatasetFile[],
  split: SplitOptions,
): Promise<boolean> {
  const store = studioStore.getState();
  if (files.length === 0) {
    store.pushError({
      title: 'Could not import the dataset',
      message: `"${name}" contains no files. Drop a folder with one sub-folder of images per class.`,
      code: 'empty-dataset',
    }, 'classifier/data');
    return false;
  }
  return importing(handle, name, { total: files.length, label: `Importing ${files.length} files from "${name}"` }, async () => {
    const summary = await handle.engine.importImages(name, files, split);
    const { thumbnails, urlByBlob } = handle.held.dataset.thumbnailUrls(pickThumbnails(files, summary));
    handle.held.dataset.replace({ name, files, urlByBlob });
    studioStore.getState().setDataset(summary, thumbnails);
  });
}

/**
 * The frame every import shares: the busy flag and progress bar while it runs; on success the
 * prediction on show goes (the engine says, with its trainedRun event, what became of the last run);
 * on failure the engine's sentence, and the previous dataset is kept. Resolves to whether it succeeded; never rejects.
 */
async function importing(handle: EngineHandle, name: string, activity: { total: number; label: string }, work: () => Promise<void>): Promise<boolean> {
  const store = studioStore.getState();
  store.setDatasetImporting(true);
  store.setProgress({ task: 'import', done: 0, ...activity });
  try {
    await work();
    studioStore.getState().setPrediction(null);
    studioStore.getState().clearErrorsAt('classifier/data');
    return true;
  } catch (error) {
    studioStore.getState().pushError(describeError(`Could not import "${name}"; the previous dataset is kept`, error), 'classifier/data');
    return false;
  } finally {
    handle.flushEvents();
    const s = studioStore.getState();
    s.setDatasetImporting(false);
    s.setProgress(null);
  }
}

/**
 * Applies a new validation fraction or seed to the current dataset. The engine re-splits the images
 * it already decoded (no re-import); the trained head stays valid, its classes are unchanged.
 */
export async function changeSplit(handle: EngineHandle, patch: Partial<SplitOptions>): Promise<void> {
  studioStore.getState().setSplit(patch);
  // A ticket per change: a queued re-split that is no longer the latest is skipped.
  const request = studioStore.getState().nextTicket('split');
  const isLatest = (): boolean => studioStore.getState().isLatestTicket('split', request);
  await new Promise((resolve) => setTimeout(resolve, SPLIT_SETTLE_MS));
  if (!isLatest()) return; // a newer value is on its way
  await handle.held.importQueue;
  if (!isLatest()) return;
  const { summary, table } = studioStore.getState().dataset;
  if (!summary && !table) return; // nothing imported yet: the split applies to the next import
  await enqueue(handle, () => runResplit(handle));
}

async function runResplit({ engine }: EngineHandle): Promise<boolean> {
  const { split, thumbnails } = studioStore.getState().dataset;
  try {
    const summary = await engine.setSplit(split);
    if ('task' in summary) studioStore.getState().setTable(summary);
    else studioStore.getState().setDataset(summary, thumbnails);
    return true;
  } catch (error) {
    const s = studioStore.getState();
    s.pushError(describeError('Could not change the split', error), 'classifier/data');
    // The inputs go back to the split the dataset still uses.
    const summary = s.dataset.summary ?? s.dataset.table;
    if (summary) s.setSplit({ validationFraction: summary.validationFraction, seed: summary.seed });
    return false;
  }
}

/**
 * Streams a CSV into the engine as a table (label column and task optional: the engine infers them).
 * Only once that succeeded does it replace the studio's dataset; a failure keeps the previous one.
 * Resolves to whether it succeeded; never rejects.
 */
export function importTable(
  handle: EngineHandle,
  name: string,
  file: Blob,
  choice: { labelColumn?: string; task?: TabularTask } = {},
): Promise<boolean> {
  return enqueue(handle, () => runTableImport(handle, name, file, choice));
}

async function runTableImport(handle: EngineHandle, name: string, file: Blob, choice: { labelColumn?: string; task?: TabularTask }): Promise<boolean> {
  const { split, csvBadRows } = studioStore.getState().dataset;
  const options: CsvImportOptions = { split, onBadRow: csvBadRows, ...choice };
  return importing(handle, name, { total: file.size, label: `Reading ${name}` }, async () => {
    const table = await handle.engine.importCsv(name, file, options);
    handle.held.csv = { name, file };
    // The image dataset (and its thumbnail URLs) is no longer the one on show.
    handle.held.dataset.replace({ name, files: [], urlByBlob: new Map() });
    studioStore.getState().setTable(table);
  });
}
