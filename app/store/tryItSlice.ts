import type { StateCreator } from 'zustand';
import type { Prediction } from '../../src/index.ts';
import type { StudioState } from './state.ts';

export interface TryItState {
  previewUrl: string | null;
  fileName: string | null;
  prediction: Prediction | null;
  predicting: boolean;
}

export interface TryItSlice {
  tryIt: TryItState;
  setTryImage: (previewUrl: string, fileName: string) => void;
  setPredicting: (predicting: boolean) => void;
  setPrediction: (prediction: Prediction | null) => void;
  clearTryIt: () => void;
}

export const createTryItSlice: StateCreator<StudioState, [], [], TryItSlice> = (set) => ({
  tryIt: { previewUrl: null, fileName: null, prediction: null, predicting: false },
  setTryImage: (previewUrl, fileName) => set((s) => ({ tryIt: { ...s.tryIt, previewUrl, fileName, prediction: null } })),
  setPredicting: (predicting) => set((s) => ({ tryIt: { ...s.tryIt, predicting } })),
  setPrediction: (prediction) => set((s) => ({ tryIt: { ...s.tryIt, prediction, predicting: false } })),
  clearTryIt: () => set({ tryIt: { previewUrl: null, fileName: null, prediction: null, predicting: false } }),
});
