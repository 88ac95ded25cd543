import type { DatasetFile, LmExport, LmModelSource, LmPlan } from '../../../src/index.ts';
import { withTrainingLock } from '../../engine/trainingLock.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { downloadBlob } from '../export/download.ts';
import { createLatest, createRequestIds } from './tickets.ts';

/** Where the built-in tiny chat model and the sample chat data live, relative to the page. */
export const BUILTIN_LM_PATH = 'models/tiny-chat-lm/';
export const SAMPLE_CHAT_PATH = 'datasets/chat-sample.jsonl';

const get = () => studioStore.getState();

/**
 * The dataset file as the user gave it: kept outside the store (a Blob is no snapshot) so that
 * changing an option or the model can tokenize it again.
 */
let heldData: { name: string; file: Blob } | null = null;

/** Loads a language model; the dataset held (if any) is tokenized again with its tokenizer. Never rejects. */
export async function loadLmModel(handle: EngineHandle, source: LmModelSource, label: string): Promise<boolean> {
  const s = get();
  if (s.lm.model.loading) return false;
  s.setLmModelLoading(true, label);
  try {
    const summary = await handle.engine.lmLoadModel(source);
    engineKey = null;
    handle.flushEvents();
    get().setLmModel(summary);
    get().setLmModelLoading(false, label);
  } catch (error) {
    handle.flushEvents();
    get().setLmModelLoading(false);
    get().pushError(describeError('Could not load the language model', error));
    return false;
  }
  if (heldData) await reimportLmText(handle);
  return true;
}

export function builtinSource(): LmModelSource {
  return { kind: 'url', url: new URL(BUILTIN_LM_PATH, document.baseURI).href };
}

export function filesSource(files: DatasetFile[]): LmModelSource {
  return { kind: 'files', files };
}

const importTicket = createLatest();

/** Tokenizes a .txt / .jsonl file with the loaded tokenizer and makes it the LM dataset. Never rejects. */
export async function importLmText(handle: EngineHandle, name: string, file: Blob): Promise<boolean> {
  heldData = { name, file };
  return reimportLmText(handle);
}

/** Tokenizes the held file again (new options or a new model). */
export async function reimportLmText(handle: EngineHandle): Promise<boolean> {
  const data = heldData;
  if (!data) return false;
  if (!get().lm.model.summary) {
    get().pushError({ title: 'Could not import the text', message: 'Load a language model first: its tokenizer reads the data.', code: 'no-model' });
    return false;
  }
  const ticket = importTicket.next();
  get().setLmDatasetImporting(true);
  try {
    const summary = await handle.engine.lmImportText(data.name, data.file, get().lm.dataset.options);
    if (importTicket.isLatest(ticket)) get().setLmDataset(summary, data.name);
    return true;
  } catch (error) {
    if (importTicket.isLatest(ticket)) {
      get().setLmDatasetImporting(false);
      get().pushError(describeError('Could not import the text', error));
    }
    return false;
  }
}

export function hasHeldLmData(): boolean {
  return heldData !== null;
}

export async function loadSampleChat(handle: EngineHandle): Promise<void> {
  try {
    const res = await fetch(new URL(SAMPLE_CHAT_PATH, document.baseURI));
    if (!res.ok) throw new Error(`the server answered HTTP ${res.status}`);
    await importLmText(handle, 'chat-sample.jsonl', await res.blob());
  } catch (error) {
    get().pushError(describeError('Could not load the sample chat data', error));
  }
}

const planTicket = createLatest();

/**
 * What the engine holds now (plan, batch size, row length), so an unchanged plan is not sent again:
 * the contract does not say whether lmSetPlan keeps a trained or imported adapter, so it is only
 * called when something really changed. Reset when a model loads.
 */
let engineKey: string | null = null;

export function planKey(plan: LmPlan, batchSize: number, maxLength: number): string {
  const entries = Object.entries(plan).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([entries, batchSize, maxLength]);
}

/** Sends the plan (with batch size and row length) and stores the totals. Resolves true when accepted; never rejects. */
export async function syncLmPlan({ engine }: EngineHandle): Promise<boolean> {
  const s = get();
  if (!s.lm.model.summary) return false;
  const ticket = planTicket.next();
  const key = planKey(s.lm.plan.modules, s.lm.run.config.batchSize, s.lm.dataset.options.maxLength);
  if (key === engineKey) {
    s.setLmPlanSyncing(false);
    return true;
  }
  s.setLmPlanSyncing(true);
  try {
    const summary = await engine.lmSetPlan(s.lm.plan.modules, s.lm.run.config.batchSize, s.lm.dataset.options.maxLength);
    if (planTicket.isLatest(ticket)) {
      engineKey = key;
      get().setLmPlanSummary(summary);
    }
    return true;
  } catch (error) {
    if (planTicket.isLatest(ticket)) {
      const { message, code } = describeError('The plan was rejected', error);
      if (code === 'busy') get().setLmPlanSyncing(false);
      else get().setLmPlanError(message);
    }
    return false;
  }
}

/** Sends the plan, trains, and records the result. Never rejects. */
export async function trainLm(handle: EngineHandle): Promise<void> {
  const s = get();
  if (s.lm.run.busy) return;
  if (!(await syncLmPlan(handle))) {
    get().pushError({ title: 'Could not start training', message: get().lm.plan.error ?? 'The engine did not accept the plan.', code: null });
    return;
  }
  get().beginLmRun();
  try {
    const result = await withTrainingLock(() => handle.engine.lmTrain(get().lm.run.config));
    handle.flushEvents();
    get().finishLmRun(result);
  } catch (error) {
    handle.flushEvents();
    get().finishLmRun(null);
    get().pushError(describeError('Training failed', error));
  }
}

/** Stops the run (or a generation): the engine ends after its current step. */
export async function stopLm({ engine }: EngineHandle): Promise<void> {
  if (get().lm.run.busy) get().setLmStopping();
  try {
    await engine.stop();
  } catch (error) {
    get().pushError(describeError('Could not stop', error));
  }
}

const nextRequestId = createRequestIds();

/** Generates from the prompt with the base model, then with the adapter, streaming into the two outputs. Never rejects. */
export async function generateBoth(handle: EngineHandle): Promise<void> {
  const s = get();
  if (s.lm.generation.generating || !s.lm.model.summary) return;
  const { settings } = s.lm.generation;
  const baseId = nextRequestId();
  const adaptedId = nextRequestId();
  const skipped = s.lm.run.hasAdapter ? null : 'No adapter yet: train one or import one.';
  s.beginLmGeneration(baseId, adaptedId, skipped);
  const common = { ...settings };
  try {
    for (const [which, id] of [['base', baseId], ['adapted', adaptedId]] as const) {
      if (which === 'adapted' && skipped) break;
      try {
        const result = await handle.engine.lmGenerate({ ...common, model: which, requestId: id });
        handle.flushEvents();
        get().finishLmStream(which, result);
      } catch (error) {
        handle.flushEvents();
        const described = describeError(`Could not generate (${which})`, error);
        get().finishLmStream(which, null, described.message);
        get().pushError(described);
        if (which === 'base') {
          if (!skipped) get().finishLmStream('adapted', null, 'Not run: the base generation failed.');
          break;
        }
      }
    }
  } finally {
    get().endLmGeneration();
  }
}

const strengthTicket = createLatest();

/** Asks the engine for a new adapter strength and shows the validation loss it reports there. Never rejects. */
export async function applyLmStrength({ engine }: EngineHandle, strength: number): Promise<void> {
  const ticket = strengthTicket.next();
  try {
    const { validationLoss } = await engine.lmSetAdapterStrength(strength);
    if (strengthTicket.isLatest(ticket)) get().setLmStrengthLoss(validationLoss);
  } catch (error) {
    if (strengthTicket.isLatest(ticket)) get().pushError(describeError('Could not change the adapter strength', error));
  }
}

function bytesBlob(bytes: Uint8Array, type = 'application/octet-stream'): Blob {
  // A copy: a Blob cannot take a view of a SharedArrayBuffer.
  return new Blob([new Uint8Array(bytes)], { type });
}

/** Downloads one file of an export. */
export function downloadExportFile(exported: LmExport, path: string): void {
  const bytes = exported.files[path];
  if (!bytes) return;
  downloadBlob(bytesBlob(bytes, path.endsWith('.json') ? 'application/json' : 'application/octet-stream'), path.split('/').pop() ?? path);
}

/** Exports the adapter or the merged model and downloads the zip; resolves with the export for single-file downloads. */
export async function exportLm({ engine }: EngineHandle, kind: 'adapter' | 'merged'): Promise<LmExport | null> {
  try {
    const exported = kind === 'adapter' ? await engine.lmExportAdapter() : await engine.lmExportMerged();
    downloadBlob(bytesBlob(exported.zip, 'application/zip'), `${exported.name}.zip`);
    return exported;
  } catch (error) {
    get().pushError(describeError(kind === 'adapter' ? 'Could not export the adapter' : 'Could not export the merged model', error));
    return null;
  }
}

/** Applies a PEFT adapter (adapter_config.json + adapter_model.safetensors) to the loaded model. Never rejects. */
export async function importLmAdapter({ engine }: EngineHandle, files: DatasetFile[]): Promise<boolean> {
  if (files.length === 0) return false;
  try {
    const { plan, validationLoss } = await engine.lmImportAdapter(files);
    const s = get();
    // The engine holds the adapter's plan now: no lmSetPlan for it (it could replace the adapter with fresh weights).
    engineKey = planKey(plan, s.lm.run.config.batchSize, s.lm.dataset.options.maxLength);
    s.setLmImportedAdapter(plan, validationLoss);
    return true;
  } catch (error) {
    get().pushError(describeError('Could not import the adapter', error));
    return false;
  }
}
