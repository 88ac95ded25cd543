/**
 * The language-model task's preference pairs: importing a preference JSONL with the loaded
 * tokenizer (split, preview, issues by line), and scoring loaded pairs with the adapter as it is
 * now against the base (`tabtune eval --task dpo`, Try it's log-probability gaps).
 */
import type { PreferenceDatasetOptions, PreferenceDatasetSummary, PreferenceEvaluation, PreferenceFormat, PreferenceRows, PreferenceSettings } from '../api.ts';
import { DEFAULT_PREFERENCE_SETTINGS } from '../api/preferenceTypes.ts';
import { lmSplit } from '../data/text/lmSplit.ts';
import { preferenceText, readPreferencePairs, type PreferencePair } from '../data/text/preferencePairs.ts';
import { tokenizePreferencePairs, type PreferenceExample } from '../data/text/tokenizePreferencePairs.ts';
import { EngineError } from '../errors.ts';
import { scaledLora } from '../lm/createLmLora.ts';
import { scorePreferences } from '../lm/preferenceScores.ts';
import type { LmTask } from './lmTask.ts';

/** Pairs shown side by side before training. */
const PREVIEW_PAIRS = 8;
/** Validation prompts offered in Try it. */
const TRY_PROMPTS = 8;

export interface PreferenceData {
  /** The file's text, kept so a backend switch can tokenize it again. */
  text: string;
  format: PreferenceFormat;
  pairs: PreferencePair[];
  examples: PreferenceExample[];
  summary: PreferenceDatasetSummary;
  train: number[];
  validation: number[];
}

export function importPreferences(task: LmTask, name: string, text: string, asked: PreferenceDatasetOptions): PreferenceData {
  const { tokenizer, lm } = task.requireModel();
  const options = { ...asked, maxLength: Math.min(asked.maxLength, lm.config.maxPositions) };
  const read = readPreferencePairs(name, text);
  const tokenized = tokenizePreferencePairs(read.pairs, tokenizer, options);
  if (tokenized.examples.length === 0) {
    throw new EngineError('preference-empty', `${name}: every pair was left out (${tokenized.issues[0]?.message ?? 'none fit'}). Raise the maximum length, or choose "truncate".`);
  }
  const split = lmSplit(tokenized.examples.length, options.validationFraction, options.seed);
  const byLine = new Map(read.pairs.map((p) => [p.line, p]));
  const issues = [...read.issues, ...tokenized.issues].sort((a, b) => a.line - b.line);
  const promptOf = (e: PreferenceExample) => preferenceText(byLine.get(e.line)!.prompt);
  const summary: PreferenceDatasetSummary = {
    name,
    format: read.format,
    pairs: tokenized.examples.length,
    train: split.train.length,
    validation: split.validation.length,
    tooLong: tokenized.tooLong,
    truncated: tokenized.truncated,
    issues: issues.slice(0, 100),
    badLines: issues.length,
    preview: tokenized.examples.slice(0, PREVIEW_PAIRS).map((e) => {
      const p = byLine.get(e.line)!;
      return { line: e.line, prompt: preferenceText(p.prompt), chosen: preferenceText(p.chosen), rejected: preferenceText(p.rejected) };
    }),
    validationPrompts: split.validation.slice(0, TRY_PROMPTS).map((r) => promptOf(tokenized.examples[r]!)),
    options,
  };
  return { text, format: read.format, pairs: read.pairs, examples: tokenized.examples, summary, ...split };
}

/** Scores loaded pairs: the adapter at its current strength (policy) against the base without it (reference). */
export async function evalPreferences(task: LmTask, request: { settings?: Partial<PreferenceSettings>; rows: PreferenceRows }): Promise<PreferenceEvaluation> {
  const { lm, tokenizer } = task.requireModel();
  const prefs = task.prefs;
  if (!prefs) throw new EngineError('no-dataset', 'No preference pairs are loaded yet: drop a preference .jsonl file.');
  const s = { ...DEFAULT_PREFERENCE_SETTINGS, ...request.settings };
  if (!(s.beta > 0)) throw new EngineError('bad-config', `beta is ${s.beta}; it must be a number above 0 (TRL's default: 0.1).`);
  const rows = request.rows === 'train' ? prefs.train : request.rows === 'validation' ? prefs.validation : prefs.examples.map((_, i) => i);
  const lora = task.lora ? scaledLora(task.lora, task.strength) : undefined;
  return scorePreferences({ lm: task.adaptedLm(), lora }, { model: { lm } }, prefs.examples, rows, tokenizer.padId, 8, s);
}
