import type { StateCreator } from 'zustand';
import {
  DEFAULT_PREFERENCE_DATASET_OPTIONS,
  DEFAULT_PREFERENCE_SETTINGS,
  type PreferenceDatasetOptions,
  type PreferenceDatasetSummary,
  type PreferenceEvaluation,
  type PreferenceSettings,
} from '../../src/index.ts';
import type { StudioState } from './state.ts';

/** What a language-model run optimises: the text's next tokens (supervised), or preferences between answers. */
export type LmObjective = 'sft' | 'preference';

/** One validation prompt in Try it: the base's and the adapter's answers. */
export interface PreferenceTryRow {
  prompt: string;
  base: string | null;
  adapted: string | null;
}

export interface PreferenceState {
  objective: LmObjective;
  settings: PreferenceSettings;
  summary: PreferenceDatasetSummary | null;
  fileName: string | null;
  options: PreferenceDatasetOptions;
  importing: boolean;
  /** Try it: the validation pairs scored with the adapter against the base, and generations for their prompts. */
  scores: PreferenceEvaluation | null;
  tryRows: PreferenceTryRow[];
  trying: boolean;
}

export interface PreferenceSlice {
  preference: PreferenceState;
  setLmObjective: (objective: LmObjective) => void;
  setPreferenceSettings: (patch: Partial<PreferenceSettings>) => void;
  setPreferenceOptions: (patch: Partial<PreferenceDatasetOptions>) => void;
  setPreferenceImporting: (importing: boolean) => void;
  setPreferenceDataset: (summary: PreferenceDatasetSummary, fileName: string) => void;
  setPreferenceTry: (patch: Partial<Pick<PreferenceState, 'scores' | 'tryRows' | 'trying'>>) => void;
}

export const initialPreference: PreferenceState = {
  objective: 'sft',
  settings: { ...DEFAULT_PREFERENCE_SETTINGS },
  summary: null,
  fileName: null,
  options: { ...DEFAULT_PREFERENCE_DATASET_OPTIONS },
  importing: false,
  scores: null,
  tryRows: [],
  trying: false,
};

const patch = (s: StudioState, p: Partial<PreferenceState>): Pick<StudioState, 'preference'> => ({ preference: { ...s.preference, ...p } });

export const createPreferenceSlice: StateCreator<StudioState, [], [], PreferenceSlice> = (set) => ({
  preference: initialPreference,
  setLmObjective: (objective) => set((s) => patch(s, { objective })),
  setPreferenceSettings: (p) => set((s) => patch(s, { settings: { ...s.preference.settings, ...p } })),
  setPreferenceOptions: (p) => set((s) => patch(s, { options: { ...s.preference.options, ...p } })),
  setPreferenceImporting: (importing) => set((s) => patch(s, { importing })),
  setPreferenceDataset: (summary, fileName) => set((s) => patch(s, { summary, fileName, importing: false, scores: null, tryRows: [] })),
  setPreferenceTry: (p) => set((s) => patch(s, p)),
});
