/**
 * What a language-model run is of (RunIdentity): the model, and the data as it was split and read,
 * fingerprinted so that a checkpoint resumes only on the same rows.
 */
import { EngineError } from '../errors.ts';
import type { RunIdentity } from '../session/task.ts';
import { fingerprint } from '../train/checkpoint.ts';
import type { PreferenceData } from './lmPreferences.ts';
import type { LmData, LoadedLm } from './lmTask.ts';

export function lmRunIdentity({ summary, label }: LoadedLm, data: LmData): RunIdentity {
  if (data.train.length === 0) throw new EngineError('dataset-too-small', 'The training split is empty: lower the validation fraction.');
  return {
    kind: 'lm',
    model: { name: label, params: summary.totalParams },
    dataset: {
      name: data.summary.name,
      rows: data.dataset.examples.length,
      hash: fingerprint(data.summary.format, data.summary.totalTokens, data.summary.trainedTokens, JSON.stringify(data.summary.options), data.train, data.validation),
      readAs: { ...data.summary.options },
    },
  };
}

export function preferenceRunIdentity({ summary, label }: LoadedLm, prefs: PreferenceData): RunIdentity {
  if (prefs.train.length === 0) throw new EngineError('dataset-too-small', 'No preference pairs are left to train on: lower the validation fraction.');
  const o = prefs.summary.options;
  return {
    kind: 'lm',
    model: { name: label, params: summary.totalParams },
    dataset: { name: prefs.summary.name, rows: prefs.examples.length, hash: fingerprint(prefs.format, o.maxLength, o.overLong, o.seed, prefs.train, prefs.validation, prefs.examples.map((e) => e.chosen.length + e.rejected.length)) },
  };
}
