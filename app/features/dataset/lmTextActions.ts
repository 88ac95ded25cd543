import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { studioStore } from '../../store/studioStore.ts';

/** Where the sample chat data lives, relative to the page. */
export const SAMPLE_CHAT_PATH = 'datasets/chat-sample.jsonl';

const get = () => studioStore.getState();

/** Tokenizes a .txt / .jsonl file with the loaded tokenizer and makes it the LM dataset. Never rejects. */
export async function importLmText(handle: EngineHandle, name: string, file: Blob): Promise<boolean> {
  handle.held.lmText = { name, file };
  return reimportLmText(handle);
}

/** Tokenizes the held file again (new options or a new model); only the newest answer is shown. */
export async function reimportLmText({ engine, held }: Pick<EngineHandle, 'engine' | 'held'>): Promise<boolean> {
  const data = held.lmText;
  if (!data) return false;
  // A model is loading: loadLmModel reads the held file with its tokenizer once it has loaded (the
  // engine would refuse it now, and the old tokenizer would be the wrong one).
  if (get().lm.model.loading) return false;
  if (!get().lm.model.summary) {
    get().pushError({ title: 'Could not import the text', message: 'Load a language model first: its tokenizer reads the data.', code: 'no-model' }, 'lm/data');
    return false;
  }
  const ticket = get().nextTicket('lmImport');
  get().setLmDatasetImporting(true);
  try {
    const summary = await engine.lmImportText(data.name, data.file, get().lm.dataset.options);
    if (get().isLatestTicket('lmImport', ticket)) get().setLmDataset(summary, data.name);
    return true;
  } catch (error) {
    if (get().isLatestTicket('lmImport', ticket)) {
      get().setLmDatasetImporting(false);
      get().pushError(describeError('Could not import the text', error), 'lm/data');
    }
    return false;
  }
}

export async function loadSampleChat(
  handle: EngineHandle,
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
  baseUri: string = document.baseURI,
): Promise<void> {
  try {
    const res = await fetchFn(new URL(SAMPLE_CHAT_PATH, baseUri));
    if (!res.ok) throw new Error(`the server answered HTTP ${res.status}`);
    await importLmText(handle, 'chat-sample.jsonl', await res.blob());
  } catch (error) {
    get().pushError(describeError('Could not load the sample chat data', error), 'lm/data');
  }
}
