import type { StateCreator } from 'zustand';
import { DEFAULT_SPLIT, type BadRowPolicy, type DatasetSummary, type SplitOptions, type TabularDatasetSummary } from '../../src/index.ts';
import type { StudioState } from './state.ts';

export interface DatasetState {
  /** An image dataset; null while a table (or nothing) is loaded. */
  summary: DatasetSummary | null;
  /** A CSV table; null while images (or nothing) are loaded. */
  table: TabularDatasetSummary | null;
  /** Object URLs (strings) of up to a few images per class, keyed by class name. */
  thumbnails: Record<string, string[]>;
  /** The split the next import uses; the summary records the one the current dataset used. */
  split: SplitOptions;
  importing: boolean;
  /** A malformed CSV row: skipped and listed, or the import stops at it (the user's choice). */
  csvBadRows: BadRowPolicy;
}

export interface DatasetSlice {
  dataset: DatasetState;
  setDatasetImporting: (importing: boolean) => void;
  setDataset: (summary: DatasetSummary, thumbnails: Record<string, string[]>) => void;
  setTable: (table: TabularDatasetSummary) => void;
  setSplit: (split: Partial<SplitOptions>) => void;
  setCsvBadRows: (policy: BadRowPolicy) => void;
}

export const createDatasetSlice: StateCreator<StudioState, [], [], DatasetSlice> = (set) => ({
  dataset: { summary: null, table: null, thumbnails: {}, split: { ...DEFAULT_SPLIT }, importing: false, csvBadRows: 'skip' },
  setDatasetImporting: (importing) => set((s) => ({ dataset: { ...s.dataset, importing } })),
  setDataset: (summary, thumbnails) =>
    set((s) => ({
      dataset: {
        ...s.dataset,
        summary,
        table: null,
        thumbnails,
        // The engine reports the split it used; the inputs show exactly that.
        split: { validationFraction: summary.validationFraction, seed: summary.seed },
      },
    })),
  setTable: (table) =>
    set((s) => ({
      dataset: { ...s.dataset, summary: null, table, thumbnails: {}, split: { validationFraction: table.validationFraction, seed: table.seed } },
    })),
  setSplit: (patch) => set((s) => ({ dataset: { ...s.dataset, split: { ...s.dataset.split, ...patch } } })),
  setCsvBadRows: (csvBadRows) => set((s) => ({ dataset: { ...s.dataset, csvBadRows } })),
});
