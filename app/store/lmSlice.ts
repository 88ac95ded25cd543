import type { StateCreator } from 'zustand';
import {
  DEFAULT_LM_DATASET_OPTIONS,
  type LmDatasetOptions,
  type LmDatasetSummary,
  type LmLoadOptions,
  type LmModelSummary,
  type LmPlanSummary,
  type ModuleMode,
  type TrainPlan,
} from '../../src/index.ts';
import { withModuleMode } from './planSlice.ts';
import type { Progress } from './sessionSlice.ts';
import type { StudioState } from './state.ts';

/** The language-model task's model, plan and text data (its run lives in `runs.lm`, its outputs in `generation`). */
export interface LmModelState {
  summary: LmModelSummary | null;
  loading: boolean;
  /** The engine's 'load-model' progress while `loading`. */
  progress: Progress | null;
  /** What the user loaded, in words ("built-in", a Hub id, a URL, a folder name). */
  source: string | null;
  /** How the next load holds the frozen weights on WebGPU (LmLoadOptions.weightStorage). */
  weightStorage: NonNullable<LmLoadOptions['weightStorage']>;
}

export interface LmPlanState {
  /** Module path -> mode; frozen modules are left out. */
  modules: TrainPlan;
  /** What the presets apply: rank (alpha = 2 x rank), LoRA dropout, rsLoRA. */
  presetRank: number;
  presetDropout: number;
  presetRslora: boolean;
  summary: LmPlanSummary | null;
  error: string | null;
  syncing: boolean;
  /** What the engine holds now (plan, batch size, row length): an unchanged plan is not sent again. */
  engineKey: string | null;
}

export interface LmDatasetState {
  summary: LmDatasetSummary | null;
  fileName: string | null;
  options: LmDatasetOptions;
  importing: boolean;
}

export interface LmState {
  model: LmModelState;
  plan: LmPlanState;
  dataset: LmDatasetState;
  /** Validation loss an imported adapter reached (null after a run here). */
  importedLoss: number | null;
  /** The half was opened with the built-in model and sample data (once per page). */
  opened: boolean;
}

export interface LmSlice {
  lm: LmState;
  setLmModelLoading: (loading: boolean, source?: string) => void;
  setLmModel: (summary: LmModelSummary) => void;
  setLmModelProgress: (progress: Progress | null) => void;
  setLmWeightStorage: (weightStorage: LmModelState['weightStorage']) => void;
  setLmModuleMode: (path: string, mode: ModuleMode) => void;
  replaceLmPlan: (modules: TrainPlan) => void;
  setLmPresetOptions: (patch: Partial<Pick<LmPlanState, 'presetRank' | 'presetDropout' | 'presetRslora'>>) => void;
  setLmPlanSyncing: (syncing: boolean) => void;
  setLmPlanSummary: (summary: LmPlanSummary, engineKey: string) => void;
  setLmPlanError: (message: string) => void;
  setLmDatasetOptions: (patch: Partial<LmDatasetOptions>) => void;
  setLmDatasetImporting: (importing: boolean) => void;
  setLmDataset: (summary: LmDatasetSummary, fileName: string) => void;
  /** An adapter was imported: the engine holds its plan (no totals for it yet). */
  setLmImportedAdapter: (plan: TrainPlan, validationLoss: number, engineKey: string) => void;
  /** A run here replaced the adapter. */
  clearLmImportedLoss: () => void;
  setLmOpened: () => void;
}

export const initialLm: LmState = {
  model: { summary: null, loading: false, progress: null, source: null, weightStorage: 'auto' },
  plan: { modules: {}, presetRank: 8, presetDropout: 0, presetRslora: false, summary: null, error: null, syncing: false, engineKey: null },
  dataset: { summary: null, fileName: null, options: { ...DEFAULT_LM_DATASET_OPTIONS }, importing: false },
  importedLoss: null,
  opened: false,
};

const setLm = (s: StudioState, patch: (lm: LmState) => Partial<LmState>): Pick<StudioState, 'lm'> => ({ lm: { ...s.lm, ...patch(s.lm) } });

export const createLmSlice: StateCreator<StudioState, [], [], LmSlice> = (set) => ({
  lm: initialLm,
  setLmModelLoading: (loading, source) =>
    set((s) => setLm(s, (lm) => ({ model: { ...lm.model, loading, progress: loading ? null : lm.model.progress, source: source ?? lm.model.source } }))),
  setLmWeightStorage: (weightStorage) => set((s) => setLm(s, (lm) => ({ model: { ...lm.model, weightStorage } }))),
  setLmModel: (summary) =>
    set((s) =>
      setLm(s, (lm) => ({
        model: { ...lm.model, summary, loading: false, progress: null },
        // A new model: the old plan's paths no longer apply, and the engine holds no plan for it.
        plan: { ...lm.plan, modules: {}, summary: null, error: null, syncing: false, engineKey: null },
        dataset: { ...lm.dataset, options: { ...lm.dataset.options, maxLength: Math.min(lm.dataset.options.maxLength, summary.contextLength) } },
        importedLoss: null,
      })),
    ),
  setLmModelProgress: (progress) => set((s) => setLm(s, (lm) => ({ model: { ...lm.model, progress } }))),
  setLmModuleMode: (path, mode) => set((s) => setLm(s, (lm) => ({ plan: { ...lm.plan, modules: withModuleMode(lm.plan.modules, path, mode) } }))),
  replaceLmPlan: (modules) => set((s) => setLm(s, (lm) => ({ plan: { ...lm.plan, modules: { ...modules } } }))),
  setLmPresetOptions: (patch) => set((s) => setLm(s, (lm) => ({ plan: { ...lm.plan, ...patch } }))),
  setLmPlanSyncing: (syncing) => set((s) => setLm(s, (lm) => ({ plan: { ...lm.plan, syncing } }))),
  setLmPlanSummary: (summary, engineKey) => set((s) => setLm(s, (lm) => ({ plan: { ...lm.plan, summary, engineKey, error: null, syncing: false } }))),
  setLmPlanError: (error) => set((s) => setLm(s, (lm) => ({ plan: { ...lm.plan, error, syncing: false } }))),
  setLmDatasetOptions: (patch) => set((s) => setLm(s, (lm) => ({ dataset: { ...lm.dataset, options: { ...lm.dataset.options, ...patch } } }))),
  setLmDatasetImporting: (importing) => set((s) => setLm(s, (lm) => ({ dataset: { ...lm.dataset, importing } }))),
  setLmDataset: (summary, fileName) => set((s) => setLm(s, (lm) => ({ dataset: { ...lm.dataset, summary, fileName, importing: false } }))),
  setLmImportedAdapter: (plan, validationLoss, engineKey) =>
    set((s) => ({
      // The old totals were for another plan; the engine's totals come with the next change.
      ...setLm(s, (lm) => ({ plan: { ...lm.plan, modules: { ...plan }, summary: null, error: null, syncing: false, engineKey }, importedLoss: validationLoss })),
      generation: { ...s.generation, strength: 1, strengthLoss: null },
    })),
  setLmOpened: () => set((s) => setLm(s, () => ({ opened: true }))),
  clearLmImportedLoss: () => set((s) => ({ ...setLm(s, () => ({ importedLoss: null })), generation: { ...s.generation, strength: 1, strengthLoss: null } })),
});
