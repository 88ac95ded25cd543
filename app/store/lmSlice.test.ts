import { describe, expect, it } from 'vitest';
import type { LmModelSummary } from '../../src/index.ts';
import { createStudioStore } from './studioStore.ts';

const summary: LmModelSummary = {
  name: 'tiny',
  architecture: 'llama',
  family: 'Llama',
  vocabSize: 100,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  numKvHeads: 1,
  contextLength: 64,
  totalParams: 1000,
  weightBytes: 4000,
  float16Weights: 0,
  modules: [],
  projectionNames: ['q_proj'],
  defaultTargets: ['q_proj'],
  hasChatTemplate: true,
};

describe('LM slice', () => {
  it('a new model clears the plan and caps the row length at its context', () => {
    const store = createStudioStore();
    const s = store.getState();
    s.setLmDatasetOptions({ maxLength: 256 });
    s.setLmModuleMode('a', { kind: 'full' });
    s.setLmModel(summary);
    const lm = store.getState().lm;
    expect(lm.plan.modules).toEqual({});
    expect(lm.plan.engineKey).toBeNull();
    expect(lm.dataset.options.maxLength).toBe(64);
    expect(lm.model.summary).toBe(summary);
  });

  it('the default row length is the engine default', () => {
    expect(createStudioStore().getState().lm.dataset.options.maxLength).toBe(128);
  });

  it('setting a module frozen removes it from the plan', () => {
    const store = createStudioStore();
    store.getState().setLmModuleMode('a', { kind: 'lora', r: 4, alpha: 8 });
    store.getState().setLmModuleMode('a', { kind: 'frozen' });
    expect(store.getState().lm.plan.modules).toEqual({});
  });

  it('an imported adapter becomes the plan, at full strength', () => {
    const store = createStudioStore();
    store.getState().setStrength(0.3);
    store.getState().setLmImportedAdapter({ a: { kind: 'lora', r: 2, alpha: 4 } }, 1.5, 'key');
    expect(store.getState().lm).toMatchObject({ importedLoss: 1.5, plan: { modules: { a: { kind: 'lora', r: 2, alpha: 4 } }, engineKey: 'key' } });
    expect(store.getState().generation.strength).toBe(1);
  });
});

describe('run slice', () => {
  it('a finished run with steps replaces the result; a failed run or one without steps keeps it', () => {
    const store = createStudioStore();
    const result = { task: 'lm' as const, state: 'stopped' as const, stoppedEarly: false, steps: 3, finalLoss: 2, evals: [], baseValidationLoss: 3 };
    store.getState().beginRun('lm', 1);
    store.getState().finishRun('lm', 'stopped', 2, result);
    store.getState().beginRun('lm', 3);
    store.getState().finishRun('lm', 'error', 4);
    expect(store.getState().runs.lm).toMatchObject({ runState: 'error', busy: false, result });
    store.getState().finishRun('lm', 'done', 5, { ...result, steps: 0 });
    expect(store.getState().runs.lm.result).toBe(result);
  });

  it("each task's run is its own; switching modes keeps both", () => {
    const store = createStudioStore();
    store.getState().setTrainConfig('lm', { steps: 7 });
    store.getState().setTrainConfig('classifier', { epochs: 3 });
    store.getState().setMode('lm');
    store.getState().setMode('images');
    expect(store.getState().runs.lm.config.steps).toBe(7);
    expect(store.getState().runs.classifier.config.epochs).toBe(3);
    expect(store.getState().session.mode).toBe('images');
  });
});

describe('generation slice', () => {
  it('skipped adapted stream; results replace streamed text; stale results are ignored', () => {
    const store = createStudioStore();
    store.getState().beginGeneration(1, 2, 'No adapter yet');
    expect(store.getState().generation.adapted).toMatchObject({ done: true, skipped: 'No adapter yet', requestId: null });
    store.getState().finishStream('base', { requestId: 1, text: 'final', tokens: 2, finish: 'eos' });
    expect(store.getState().generation.base).toMatchObject({ text: 'final', done: true, finish: 'eos' });
    store.getState().finishStream('base', { requestId: 0, text: 'stale', tokens: 1, finish: 'length' });
    expect(store.getState().generation.base.text).toBe('final');
  });
});
