import type { DatasetFile, ModelSummary } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { MODEL_PATH } from '../../engine/sampleDataset.ts';
import { studioStore } from '../../store/studioStore.ts';
import type { ModelOrigin } from '../../store/modelSlice.ts';
import { importDataset } from '../dataset/importDataset.ts';

/**
 * Loads a base model through `load` and, only once that succeeded, makes it the studio's model: the
 * plan starts empty again (the engine reset it); the engine's trainedRun event says what became of
 * the last run, made on the other model. A failure shows the engine's sentence and keeps the model
 * that was loaded before. Resolves to whether it loaded; never rejects.
 */
async function loadWith(
  { flushEvents, ...handle }: EngineHandle,
  origin: ModelOrigin,
  failureTitle: string,
  load: () => Promise<ModelSummary>,
): Promise<boolean> {
  const store = studioStore.getState();
  if (store.model.loading) return false;
  const previousShape = store.model.summary?.inputShape.join('x') ?? null;
  store.setModelLoading(true);
  store.setProgress({ task: 'load-model', done: 0, total: 1, label: 'Loading the model' });
  let summary: ModelSummary;
  try {
    summary = await load();
  } catch (error) {
    studioStore.getState().pushError(describeError(`${failureTitle}; the previous model is kept`, error), 'classifier/model');
    return false;
  } finally {
    flushEvents();
    const s = studioStore.getState();
    s.setModelLoading(false);
    s.setProgress(null);
  }
  const s = studioStore.getState();
  s.setModelSummary(summary, origin);
  s.replacePlan({});
  s.setPrediction(null);
  // Images are decoded at the model's input size: a model with another size needs them decoded again.
  const held = handle.held.dataset.current();
  if (held && held.files.length > 0 && summary.inputKind === 'image' && previousShape !== null && previousShape !== summary.inputShape.join('x')) {
    await importDataset({ ...handle, flushEvents }, held.name, held.files);
  }
  return true;
}

export function loadModelFromFiles(handle: EngineHandle, files: DatasetFile[]): Promise<boolean> {
  if (files.length === 0) {
    studioStore.getState().pushError({
      title: 'Could not load the model',
      message: 'No files were chosen. Choose model.json together with its weight files (*.bin).',
      code: 'model-not-found',
    }, 'classifier/model');
    return Promise.resolve(false);
  }
  return loadWith(handle, 'files', 'Could not load the model files', () => handle.engine.loadModelFiles(files));
}

export function loadModelFromUrl(handle: EngineHandle, url: string, baseUri: string = document.baseURI): Promise<boolean> {
  let href: string;
  try {
    href = new URL(url.trim(), baseUri).href;
  } catch {
    studioStore.getState().pushError({
      title: 'Could not load the model',
      message: `"${url}" is not a URL. Enter the address of a TF.js model.json, e.g. https://example.com/model/model.json.`,
      code: 'bad-url',
    }, 'classifier/model');
    return Promise.resolve(false);
  }
  return loadWith(handle, 'url', `Could not load ${href}`, () => handle.engine.loadModel(href));
}

export function loadBuiltinModel(handle: EngineHandle, baseUri: string = document.baseURI): Promise<boolean> {
  return loadWith(handle, 'builtin', 'Could not load the built-in model', () => handle.engine.loadModel(new URL(MODEL_PATH, baseUri).href));
}

/**
 * An MLP sized to the loaded table. It is not pre-trained, so its plan starts with every layer
 * trained (a head on random features learns little); the plan table can change that.
 */
export async function loadTableModel(handle: EngineHandle, hidden?: number[]): Promise<boolean> {
  const ok = await loadWith(handle, 'table', 'Could not build an MLP for the table', () => handle.engine.loadTabularModel(hidden));
  const summary = studioStore.getState().model.summary;
  if (ok && summary) studioStore.getState().replacePlan(Object.fromEntries(summary.layers.filter((l) => l.params > 0).map((l) => [l.name, { kind: 'full' as const }])));
  return ok;
}

/** Does the loaded model take rows of this many features? */
export function modelFitsTable(featureCount: number): boolean {
  const model = studioStore.getState().model.summary;
  return model?.inputKind === 'vector' && model.inputShape[0] === featureCount;
}
