import { describe, expect, it } from 'vitest';
import type { EngineEvent, LmModelSummary } from '../../src/index.ts';
import { applyEngineEvents } from '../engine/applyEngineEvents.ts';
import { initialLm, reduceLmEvent, reduceLmEvents } from './lmSlice.ts';
import { createStudioStore } from './studioStore.ts';

const step = (s: number) => ({ type: 'lmStep' as const, point: { step: s, loss: 3 - s / 10, learningRate: 1e-3, tokensPerSecond: 50 }, totalSteps: 10, elapsedMs: s * 100 });

describe('LM event reducers', () => {
  it('appends steps in one copy and keeps the last totals', () => {
    const next = reduceLmEvents(initialLm, [step(1), step(2), step(3)]);
    expect(next.run.steps.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(next.run.totalSteps).toBe(10);
    expect(next.run.elapsedMs).toBe(300);
    expect(initialLm.run.steps).toEqual([]);
    // Same as folding one by one.
    const folded = [step(1), step(2), step(3)].reduce(reduceLmEvent, initialLm);
    expect(folded.run).toEqual(next.run);
  });

  it('keeps evaluations sorted, replacing a step reported twice', () => {
    const e = (s: number, v: number) => ({ type: 'lmEval' as const, point: { step: s, validationLoss: v, samples: [] } });
    const next = reduceLmEvents(initialLm, [e(20, 2), e(10, 2.5), e(20, 1.9)]);
    expect(next.run.evals.map((p) => [p.step, p.validationLoss])).toEqual([
      [10, 2.5],
      [20, 1.9],
    ]);
  });

  it('routes tokens to their stream by requestId and ignores finished or unknown streams', () => {
    const lm = {
      ...initialLm,
      generation: {
        ...initialLm.generation,
        base: { ...initialLm.generation.base, requestId: 1 },
        adapted: { ...initialLm.generation.adapted, requestId: 2 },
      },
    };
    let next = reduceLmEvents(lm, [
      { type: 'lmToken', requestId: 1, text: 'Hel' },
      { type: 'lmToken', requestId: 1, text: 'lo' },
      { type: 'lmToken', requestId: 2, text: 'Hi' },
      { type: 'lmToken', requestId: 99, text: '??' },
    ]);
    expect(next.generation.base.text).toBe('Hello');
    expect(next.generation.adapted.text).toBe('Hi');
    next = { ...next, generation: { ...next.generation, base: { ...next.generation.base, done: true } } };
    expect(reduceLmEvent(next, { type: 'lmToken', requestId: 1, text: '!' }).generation.base.text).toBe('Hello');
  });
});

describe('applyEngineEvents with LM events', () => {
  it('patches lm only, leaving the image run alone', () => {
    const state = createStudioStore().getState();
    const { patch } = applyEngineEvents(state, [step(1), { type: 'lmToken', requestId: 5, text: 'x' }]);
    expect(patch.lm?.run.steps).toHaveLength(1);
    expect(patch.training).toBeUndefined();
  });

  it('sends load-model progress to the LM panel while a language model loads', () => {
    const store = createStudioStore();
    store.getState().setLmModelLoading(true, 'built-in');
    const events: EngineEvent[] = [{ type: 'progress', task: 'load-model', done: 3, total: 10, label: 'model.safetensors' }];
    const { patch } = applyEngineEvents(store.getState(), events);
    expect(patch.lm?.model.progress).toEqual({ done: 3, total: 10, label: 'model.safetensors' });
    expect(patch.session).toBeUndefined();
  });

  it('keeps run states and logs of an LM run out of the image run', () => {
    const store = createStudioStore();
    store.getState().beginLmRun();
    const { patch } = applyEngineEvents(store.getState(), [
      { type: 'runState', state: 'training' },
      { type: 'log', level: 'info', message: 'Stopped early' },
    ]);
    expect(patch.training).toBeUndefined();
    expect(patch.lm?.run.logs).toEqual(['Stopped early']);
  });
});

describe('LM slice actions', () => {
  const summary: LmModelSummary = {
    name: 'tiny',
    architecture: 'llama',
    vocabSize: 100,
    hiddenSize: 16,
    numLayers: 2,
    numHeads: 2,
    numKvHeads: 1,
    contextLength: 64,
    totalParams: 1000,
    weightBytes: 4000,
    modules: [],
    projectionNames: ['q_proj'],
    defaultTargets: ['q_proj'],
    hasChatTemplate: true,
  };

  it('a new model clears the plan and run and caps the row length at its context', () => {
    const store = createStudioStore();
    const s = store.getState();
    s.setLmDatasetOptions({ maxLength: 256 });
    s.setLmModuleMode('a', { kind: 'full' });
    s.setLmModel(summary);
    const lm = store.getState().lm;
    expect(lm.plan.modules).toEqual({});
    expect(lm.dataset.options.maxLength).toBe(64);
    expect(lm.model.summary).toBe(summary);
  });

  it('setting a module frozen removes it from the plan', () => {
    const store = createStudioStore();
    store.getState().setLmModuleMode('a', { kind: 'lora', r: 4, alpha: 8 });
    store.getState().setLmModuleMode('a', { kind: 'frozen' });
    expect(store.getState().lm.plan.modules).toEqual({});
  });

  it('a finished run with steps leaves an adapter; a failed run does not', () => {
    const store = createStudioStore();
    store.getState().beginLmRun();
    store.getState().finishLmRun(null);
    expect(store.getState().lm.run).toMatchObject({ state: 'error', busy: false, hasAdapter: false });
    store.getState().beginLmRun();
    store.getState().finishLmRun({ state: 'stopped', stoppedEarly: false, steps: 3, finalLoss: 2, evals: [], baseValidationLoss: 3 });
    expect(store.getState().lm.run).toMatchObject({ state: 'stopped', hasAdapter: true });
  });

  it('generation streams: skipped adapted stream, results replace streamed text', () => {
    const store = createStudioStore();
    store.getState().beginLmGeneration(1, 2, 'No adapter yet');
    expect(store.getState().lm.generation.adapted).toMatchObject({ done: true, skipped: 'No adapter yet', requestId: null });
    store.getState().finishLmStream('base', { requestId: 1, text: 'final', tokens: 2, finish: 'eos' });
    expect(store.getState().lm.generation.base).toMatchObject({ text: 'final', done: true, finish: 'eos' });
    // A result for an older request is ignored.
    store.getState().finishLmStream('base', { requestId: 0, text: 'stale', tokens: 1, finish: 'length' });
    expect(store.getState().lm.generation.base.text).toBe('final');
  });

  it('switching modes keeps the other mode\'s state', () => {
    const store = createStudioStore();
    store.getState().setLmTrainConfig({ steps: 7 });
    store.getState().setMode('lm');
    store.getState().setMode('images');
    expect(store.getState().lm.run.config.steps).toBe(7);
    expect(store.getState().mode).toBe('images');
  });
});
