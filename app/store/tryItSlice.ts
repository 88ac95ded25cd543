import type { StateCreator } from 'zustand';
import type { StudioState, TryItSlice } from './types.ts';

export const createTryItSlice: StateCreator<StudioState, [], [], TryItSlice> = (set) => ({
  tryIt: { previewUrl: null, fileName: null, prediction: null, predicting: false },
  setTryImage: (previewUrl, fileName) =>
    set((s) => ({ tryIt: { ...s.tryIt, previewUrl, fileName, prediction: null } })),
  setPredicting: (predicting) => set((s) => ({ tryIt: { ...s.tryIt, predicting } })),
  setPrediction: (prediction) => set((s) => ({ tryIt: { ...s.tryIt, prediction, predicting: false } })),
  clearTryIt: () => set({ tryIt: { previewUrl: null, fileName: null, prediction: null, predicting: false } }),
});
