import type { StateCreator } from 'zustand';
import { DEFAULT_SPLIT } from '../../src/index.ts';
import type { DatasetSlice, StudioState } from './types.ts';

export const createDatasetSlice: StateCreator<StudioState, [], [], DatasetSlice> = (set) => ({
  dataset: { summary: null, table: null, thumbnails: {}, split: { ...DEFAULT_SPLIT }, importing: false },
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
});
