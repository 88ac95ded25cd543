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
  resumed: false,
  startedAt: null,
  finishedAt: null,
  trainedSteps: 0,
  result: null,
  imported: false,
  logs: [],
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
        resumed: false,
        startedAt: now,
        finishedAt: null,
        logs: [],
      },
    })),
  finishRun: (runState, steps, now, result = null) =>
    set((s) => {
      // A stopped run with at least one step leaves a usable head. A run that failed or made no step
      // changes nothing: the engine keeps its last finished run, and so do Try it, Export and the evaluation.
      const replaced = runState !== 'error' && steps > 0;
      return {
        training: {
          ...s.training,
          runState,
          busy: false,
          finishedAt: now,
          trainedSteps: replaced ? steps : s.training.trainedSteps,
          result: replaced ? result : s.training.result,
          imported: replaced ? false : s.training.imported,
        },
      };
    }),
  setImportedRun: (result) =>
    set((s) => ({
      training: {
        ...s.training,
        // An imported run made no steps here, but it is a usable head all the same.
        trainedSteps: Math.max(1, result.steps),
        result,
        imported: true,
        finishedAt: Date.now(),
      },
    })),
  invalidateTrainedModel: () => set((s) => ({ training: { ...s.training, trainedSteps: 0, result: null, imported: false } })),
});
