import type { StateCreator } from 'zustand';
import { DEFAULT_TRAIN_CONFIG } from '../../src/index.ts';
import type { StudioState, TrainingSlice, TrainingState } from './types.ts';

export const initialTraining: TrainingState = {
  config: { ...DEFAULT_TRAIN_CONFIG },
  runState: 'idle',
  busy: false,
  steps: [],
  epochs: [],
  progress: null,
  totalSteps: 0,
  timing: null,
  startedAt: null,
  finishedAt: null,
  trainedSteps: 0,
};

export const createTrainingSlice: StateCreator<StudioState, [], [], TrainingSlice> = (set) => ({
  training: initialTraining,
  setTrainConfig: (patch) => set((s) => ({ training: { ...s.training, config: { ...s.training.config, ...patch } } })),
  beginRun: (now) =>
    set((s) => ({
      training: {
        ...s.training,
        runState: 'preparing',
        busy: true,
        steps: [],
        epochs: [],
        progress: null,
        totalSteps: 0,
        timing: null,
        startedAt: now,
        finishedAt: null,
      },
    })),
  finishRun: (runState, steps, now) =>
    set((s) => ({
      training: {
        ...s.training,
        runState,
        busy: false,
        finishedAt: now,
        // A stopped run still leaves a usable head if at least one step ran; after an error the head is in an unknown state.
        trainedSteps: runState === 'error' ? 0 : steps,
      },
    })),
  invalidateTrainedModel: () => set((s) => ({ training: { ...s.training, trainedSteps: 0 } })),
});
