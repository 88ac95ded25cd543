import type { DatasetFile, LmModelSource } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { reimportPreferences } from '../preferences/preferenceActions.ts';
import { loadSampleChat, reimportLmText } from '../dataset/lmTextActions.ts';
import { presetPlan } from '../plan/planGrid.ts';

/** Where the built-in tiny chat model lives, relative to the page. */
export const BUILTIN_LM_PATH = 'models/tiny-chat-lm/';

const get = () => studioStore.getState();

/** Loads a language model; the text data held (if any) is tokenized again with its tokenizer. Never rejects. */
export async function loadLmModel(handle: EngineHandle, source: LmModelSource, label: string): Promise<boolean> {
  if (get().lm.model.loading) return false;
  const previous = get().lm.model.source;
  get().setLmModelLoading(true, label);
  try {
    const summary = await handle.engine.lmLoadModel(source, { weightStorage: get().lm.model.weightStorage });
    handle.flushEvents();
    get().setLmModel(summary);
    get().setLmModelLoading(false, label);
  } catch (error) {
    handle.flushEvents();
    // The model already loaded stays, and so does the name of where it came from.
    get().setLmModelLoading(false, previous ?? undefined);
    get().pushError(describeError('Could not load the language model', error), 'lm/model');
    // Data dropped while it loaded waited for it: the model still loaded (if any) reads it instead.
    if (get().lm.model.summary) await reimportHeld(handle);
    return false;
  }
  await reimportHeld(handle);
  return true;
}

/** Reads the held text and preference files with the loaded model's tokenizer. */
async function reimportHeld(handle: EngineHandle): Promise<void> {
  if (handle.held.lmText) await reimportLmText(handle);
  if (handle.held.lmPrefs) await reimportPreferences(handle);
}

/**
 * Opens the language-model half as the image half opens: the built-in model, the sample chat data
 * and LoRA on every projection (the plan that gives the sample's clean pirate answers), so Train
 * works on first view. Runs once per page; never rejects.
 */
export async function openLmSample(handle: EngineHandle, baseUri: string = document.baseURI): Promise<void> {
  if (get().lm.opened) return;
  get().setLmOpened();
  if (get().lm.model.summary || get().lm.model.loading) return;
  if (!(await loadLmModel(handle, builtinSource(baseUri), 'built-in tiny-chat-lm'))) return;
  const summary = get().lm.model.summary;
  const plan = get().lm.plan;
  if (summary && Object.keys(plan.modules).length === 0) {
    get().replaceLmPlan(presetPlan(summary, 'all', { r: plan.presetRank, dropout: plan.presetDropout, rslora: plan.presetRslora }));
  }
  if (!handle.held.lmText) await loadSampleChat(handle, undefined, baseUri);
  // A question the sample data answers, so the first Generate shows what the run changed.
  if (get().generation.settings.prompt === '') get().setGenerationSettings({ prompt: SAMPLE_PROMPT });
}

/** A question in the style of the sample chat data (whose answers are a pirate's). */
export const SAMPLE_PROMPT = 'What color is the fox?';

export function builtinSource(baseUri: string = document.baseURI): LmModelSource {
  return { kind: 'url', url: new URL(BUILTIN_LM_PATH, baseUri).href };
}

export function filesSource(files: DatasetFile[]): LmModelSource {
  return { kind: 'files', files };
}

/** A Hub id or a URL, as the model panel's text field reads it. */
export function parseModelSource(text: string): { kind: 'hub'; id: string } | { kind: 'url'; url: string } | null {
  const t = text.trim();
  if (t === '') return null;
  return /^https?:\/\//i.test(t) ? { kind: 'url', url: t } : { kind: 'hub', id: t };
}
