import { describeError } from '../../engine/describeError.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { selectHasTrainedRun } from '../../store/selectors.ts';
import { studioStore } from '../../store/studioStore.ts';

/** Where the built-in preference pairs for the tiny chat model live, relative to the page. */
export const SAMPLE_PREFS_PATH = 'datasets/pirate-prefs.jsonl';

/** Tokens of each Try it answer, and how many validation prompts get answers (each is two generations). */
const TRY_TOKENS = 16;
const TRY_ANSWERS = 2;

const get = () => studioStore.getState();

/** Reads a preference .jsonl with the loaded tokenizer and makes it the preference data. Never rejects. */
export async function importPreferences(handle: EngineHandle, name: string, file: Blob): Promise<boolean> {
  handle.held.lmPrefs = { name, file };
  get().setLmObjective('preference');
  return reimportPreferences(handle);
}

/** Reads the held pairs again (new options or a new model); only the newest answer is shown. */
export async function reimportPreferences({ engine, held }: Pick<EngineHandle, 'engine' | 'held'>): Promise<boolean> {
  const data = held.lmPrefs;
  if (!data) return false;
  // As for text: a model loading reads the held pairs once it has loaded (loadLmModel).
  if (get().lm.model.loading) return false;
  if (!get().lm.model.summary) {
    get().pushError({ title: 'Could not import the preference pairs', message: 'Load a language model first: its tokenizer reads the pairs.', code: 'no-model' });
    return false;
  }
  const ticket = get().nextTicket('prefImport');
  get().setPreferenceImporting(true);
  try {
    const summary = await engine.lmImportPreferences(data.name, data.file, get().preference.options);
    if (get().isLatestTicket('prefImport', ticket)) get().setPreferenceDataset(summary, data.name);
    return true;
  } catch (error) {
    if (get().isLatestTicket('prefImport', ticket)) {
      get().setPreferenceImporting(false);
      get().pushError(describeError('Could not import the preference pairs', error));
    }
    return false;
  }
}

export async function loadSamplePreferences(handle: EngineHandle, fetchFn: typeof fetch = (input, init) => fetch(input, init)): Promise<void> {
  try {
    const res = await fetchFn(new URL(SAMPLE_PREFS_PATH, document.baseURI));
    if (!res.ok) throw new Error(`the server answered HTTP ${res.status}`);
    await importPreferences(handle, 'pirate-prefs.jsonl', await res.blob());
  } catch (error) {
    get().pushError(describeError('Could not load the sample preference pairs', error));
  }
}

/**
 * Try it for preferences: the validation pairs scored with the adapter against the base (the
 * chosen/rejected log-probability gap under each), and greedy answers of both to their prompts.
 * Never rejects.
 */
export async function tryValidationPairs(handle: Pick<EngineHandle, 'engine' | 'flushEvents'>): Promise<void> {
  const s = get();
  const summary = s.preference.summary;
  if (!summary || s.preference.trying || summary.validation === 0) return;
  s.setPreferenceTry({ trying: true, scores: null, tryRows: summary.validationPrompts.slice(0, TRY_ANSWERS).map((prompt) => ({ prompt, base: null, adapted: null })) });
  try {
    const scores = await handle.engine.lmEvalPreferences({ rows: 'validation', settings: { ...s.preference.settings, loss: 'sigmoid' } });
    get().setPreferenceTry({ scores });
    const chat = summary.format !== 'preference';
    const adapted = selectHasTrainedRun(get(), 'lm');
    for (const [i, prompt] of summary.validationPrompts.slice(0, TRY_ANSWERS).entries()) {
      // Conversational prompts are shown as "role: content" turns; the last user turn is what is asked.
      const asked = chat ? prompt.split('\n').at(-1)!.replace(/^user: /, '') : prompt;
      const answer = async (model: 'base' | 'adapted') =>
        (await handle.engine.lmGenerate({ prompt: asked, chat, maxNewTokens: TRY_TOKENS, temperature: 0, topK: 0, topP: 1, seed: 0, model, requestId: get().nextRequestId() })).text;
      const base = await answer('base');
      const adaptedText = adapted ? await answer('adapted') : null;
      handle.flushEvents();
      get().setPreferenceTry({ tryRows: get().preference.tryRows.map((row, j) => (j === i ? { ...row, base, adapted: adaptedText } : row)) });
    }
  } catch (error) {
    get().pushError(describeError('Could not try the validation pairs', error));
  } finally {
    get().setPreferenceTry({ trying: false });
  }
}
