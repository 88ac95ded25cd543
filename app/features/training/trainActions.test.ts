import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, DEFAULT_LM_TRAIN_CONFIG, type LmTrainResult, type TrainConfig } from '../../../src/index.ts';
import { STUDIO_LM_TRAIN_CONFIG } from '../../store/runSlice.ts';
import { studioStore } from '../../store/studioStore.ts';
import { fakeHandle, resetStudioStore, tinyLm } from '../../testing/studioFixtures.ts';
import { runConfig, startRun } from './trainActions.ts';

describe('runConfig', () => {
  it('leaves out settings that are off', () => {
    const config = { ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, schedule: { kind: 'constant' as const }, clipNorm: 0, earlyStopping: { patience: 0 }, continueFromLastRun: true };
    expect(runConfig(config, false)).toEqual(DEFAULT_CLASSIFIER_TRAIN_CONFIG);
  });

  it('passes schedule, clipping, patience and continue when set', () => {
    const config = { ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, schedule: { kind: 'cosine' as const, warmupSteps: 5 }, clipNorm: 1, earlyStopping: { patience: 2 }, continueFromLastRun: true };
    expect(runConfig(config, true)).toEqual(config);
  });

  it('shapes a language-model config the same way (one set of shared settings)', () => {
    const { earlyStopping: _off, ...withoutPatience } = DEFAULT_LM_TRAIN_CONFIG;
    expect(runConfig(DEFAULT_LM_TRAIN_CONFIG, false)).toEqual(withoutPatience);
  });
});

describe('startRun', () => {
  beforeEach(() => {
    resetStudioStore();
    studioStore.getState().setLmModel(tinyLm);
    studioStore.setState((s) => ({ lm: { ...s.lm, dataset: { ...s.lm.dataset, summary: { train: 8 } as never } } }));
  });

  it('sends the language-model plan, trains with config.task "lm", and records the result', async () => {
    const result: LmTrainResult = { task: 'lm', state: 'done', stoppedEarly: false, steps: 5, finalLoss: 1, evals: [], baseValidationLoss: 2 };
    const lmSetPlan = vi.fn(async (plan) => ({ plan, trainableParams: 10, totalParams: 100, memoryBytes: 1, gradientCheckpointing: false, memoryBudgetBytes: null }));
    const train = vi.fn(async (_config: TrainConfig) => result);
    studioStore.getState().setLmModuleMode('transformer.h.0.attn.c_attn', { kind: 'lora', r: 8, alpha: 16 });
    expect(await startRun(fakeHandle({ lmSetPlan, train: train as never }), 'lm')).toBe(true);
    expect(lmSetPlan).toHaveBeenCalledWith({ 'transformer.h.0.attn.c_attn': { kind: 'lora', r: 8, alpha: 16 } }, 4, 32, undefined, false);
    expect(train.mock.calls[0]![0]).toMatchObject({ task: 'lm', steps: STUDIO_LM_TRAIN_CONFIG.steps });
    expect(studioStore.getState().runs.lm).toMatchObject({ runState: 'done', busy: false, result });
    expect(studioStore.getState().runs.classifier.result).toBeNull();
  });

  it('a failed run shows the engine sentence and keeps the last result', async () => {
    const train = vi.fn(async () => {
      throw Object.assign(new Error('Out of memory'), { code: 'oom' });
    });
    studioStore.getState().setLmModuleMode('m', { kind: 'full' });
    const lmSetPlan = vi.fn(async (plan) => ({ plan, trainableParams: 1, totalParams: 100, memoryBytes: 1, gradientCheckpointing: false, memoryBudgetBytes: null }));
    expect(await startRun(fakeHandle({ lmSetPlan, train }), 'lm')).toBe(false);
    expect(studioStore.getState().runs.lm).toMatchObject({ runState: 'error', busy: false, result: null });
    expect(studioStore.getState().notice.errors.at(-1)).toMatchObject({ title: 'Training failed', code: 'oom' });
  });

  it('does not start without a plan to train', async () => {
    const train = vi.fn();
    expect(await startRun(fakeHandle({ train }), 'lm')).toBe(false);
    expect(train).not.toHaveBeenCalled();
  });
});
