import type { DatasetFile, LmModelSource } from '../../../src/index.ts';
import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';
import { reimportLmText } from '../dataset/lmTextActions.ts';
import { reimportPreferences } from '../preferences/preferenceActions.ts';

/** Where the built-in tiny chat model lives, relative to the page. */
export const BUILTIN_LM_PATH = 'models/tiny-chat-lm/';

const get = () => studioStore.getState();

/** Loads a language model; the text data held (if any) is tokenized again with its tokenizer. Never rejects. */
export async function loadLmModel(handle: EngineHandle, source: LmModelSource, label: string): Promise<boolean> {
  if (get().lm.model.loading) return false;
  get().setLmModelLoading(true, label);
  try {
    const summary = await handle.engine.lmLoadModel(source);
    handle.flushEvents();
    get().setLmModel(summary);
    get().setLmModelLoading(false, label);
  } catch (error) {
    handle.flushEvents();
    get().setLmModelLoading(false);
    get().pushError(describeError('Could not load the language model', error));
    return false;
  }
  if (handle.held.lmText) await reimportLmText(handle);
  if (handle.held.lmPrefs) await reimportPreferences(handle);
  return true;
}

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
