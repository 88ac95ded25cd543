import { describe, expect, it } from 'vitest';
import type { BackendReport, EngineEvent, TaskKind } from '../../src/index.ts';
import { createStudioStore } from '../store/studioStore.ts';
import { applyEngineEvents } from './applyEngineEvents.ts';

const step = (task: TaskKind, n: number, ms = n * 10): EngineEvent => ({ type: 'step', task, point: { step: n, epoch: 1, loss: 1, learningRate: 0.01 }, totalSteps: 100, elapsedMs: ms });

describe('applyEngineEvents', () => {
  it('returns an empty patch for no events', () => {
    const state = createStudioStore().getState();
    expect(applyEngineEvents(state, [])).toEqual({ patch: {}, warnings: [] });
  });

  it("keeps the run's last log messages (newest last) and turns warnings into notices", () => {
    const state = createStudioStore().getState();
    const events: EngineEvent[] = ['a', 'b', 'c', 'd'].map((message) => ({ type: 'log', level: 'info', message }));
    events.push({ type: 'log', level: 'warn', message: 'careful' });
    const { patch, warnings } = applyEngineEvents(state, events);
    expect(patch.runs?.classifier.logs).toEqual(['c', 'd', 'careful']);
    expect(warnings).toEqual(['careful']);
  });

  it('applies the backend report and keeps the select in step with it', () => {
    const state = createStudioStore().getState();
    const report: BackendReport = { requested: 'wasm', name: 'wasm', reason: 'asked for wasm', adapter: null };
    const { patch } = applyEngineEvents(state, [{ type: 'backend', report }]);
    expect(patch.backend?.report).toBe(report);
    expect(patch.backend?.requested).toBe('wasm');
  });

  it('sends run progress to the run and other work to the progress bar, clearing it when done', () => {
    const state = createStudioStore().getState();
    const events: EngineEvent[] = [
      { type: 'progress', task: 'import', done: 3, total: 10, label: 'a.png' },
      { type: 'progress', task: 'features', done: 5, total: 20, label: 'Computing base features 5/20' },
    ];
    const { patch } = applyEngineEvents(state, events);
    expect(patch.session?.progress).toEqual({ task: 'import', done: 3, total: 10, label: 'Decoding images: 3 of 10' });
    expect(patch.runs?.classifier.preparing).toEqual({ done: 5, total: 20, label: 'Computing base features 5/20' });
    const finished = applyEngineEvents(state, [{ type: 'progress', task: 'import', done: 10, total: 10, label: 'z.png' }]);
    expect(finished.patch.session?.progress).toBeNull();
  });

  it('replaces an evaluation reported twice instead of duplicating its row, keeping step order', () => {
    const state = createStudioStore().getState();
    const e = (s: number, v: number): EngineEvent => ({ type: 'eval', task: 'lm', point: { step: s, validationLoss: v } });
    const { patch } = applyEngineEvents(state, [e(20, 2), e(10, 2.5), e(20, 1.9)]);
    expect(patch.runs?.lm.evals.map((p) => [p.step, p.validationLoss])).toEqual([
      [10, 2.5],
      [20, 1.9],
    ]);
  });

  it("routes steps, run states and evaluations by task, leaving the other task's run alone", () => {
    const state = createStudioStore().getState();
    const { patch } = applyEngineEvents(state, [
      { type: 'runState', task: 'lm', state: 'training' },
      step('lm', 1),
      { type: 'runState', task: 'lm', state: 'done' },
    ]);
    expect(patch.runs?.lm.runState).toBe('done');
    expect(patch.runs?.lm.steps).toHaveLength(1);
    expect(patch.runs?.classifier).toBe(state.runs.classifier);
  });

  it('gives the shared log and progress events to the task the engine says it is busy with', () => {
    const store = createStudioStore();
    store.setState(applyEngineEvents(store.getState(), [{ type: 'activity', activity: { kind: 'run', task: 'lm', what: 'training' } }]).patch);
    const { patch } = applyEngineEvents(store.getState(), [{ type: 'log', level: 'info', message: 'Stopped early' }]);
    expect(patch.runs?.lm.logs).toEqual(['Stopped early']);
    expect(patch.runs?.classifier.logs).toEqual([]);
  });

  it("measures the rate afresh after a pause (the engine's elapsed time includes the pause)", () => {
    const store = createStudioStore();
    const apply = (events: EngineEvent[]): void => store.setState(applyEngineEvents(store.getState(), events).patch);
    apply([{ type: 'runState', task: 'classifier', state: 'training' }, step('classifier', 1), step('classifier', 2), { type: 'runState', task: 'classifier', state: 'paused' }]);
    apply([{ type: 'runState', task: 'classifier', state: 'training' }]);
    expect(store.getState().runs.classifier.resumed).toBe(true);
    apply([step('classifier', 3, 5030)]);
    const { timing, resumed } = store.getState().runs.classifier;
    expect(resumed).toBe(false);
    expect(timing).toEqual({ firstStepsDone: 3, firstElapsedMs: 5030, lastStepsDone: 3, lastElapsedMs: 5030 });
  });

  it("shows the engine's trained-run info as it is, and drops the result when the run is gone", () => {
    const store = createStudioStore();
    store.getState().finishRun('lm', 'done', 1, { task: 'lm', state: 'done', stoppedEarly: false, steps: 3, finalLoss: 1, evals: [], baseValidationLoss: 2 });
    const stale = { task: 'lm' as const, present: true, stale: true, reason: 'Another model was loaded since.' };
    store.setState(applyEngineEvents(store.getState(), [{ type: 'trainedRun', info: stale }]).patch);
    expect(store.getState().session.trainedRun.lm).toEqual(stale);
    expect(store.getState().runs.lm.result).not.toBeNull();
    store.setState(applyEngineEvents(store.getState(), [{ type: 'trainedRun', info: { ...stale, present: false, stale: false, reason: null } }]).patch);
    expect(store.getState().runs.lm.result).toBeNull();
  });

  it('sends load-model progress to the language model while one loads', () => {
    const store = createStudioStore();
    store.getState().setLmModelLoading(true, 'built-in');
    const { patch } = applyEngineEvents(store.getState(), [{ type: 'progress', task: 'load-model', done: 3, total: 10, label: 'model.safetensors' }]);
    expect(patch.lm?.model.progress).toEqual({ done: 3, total: 10, label: 'model.safetensors' });
    expect(patch.session).toBeUndefined();
  });

  it('routes tokens to their stream by requestId and ignores finished or unknown streams', () => {
    const store = createStudioStore();
    store.getState().beginGeneration(1, 2, null);
    const tokens = (requestId: number, text: string): EngineEvent => ({ type: 'lmToken', requestId, text });
    store.setState(applyEngineEvents(store.getState(), [tokens(1, 'Hel'), tokens(1, 'lo'), tokens(2, 'Hi'), tokens(99, '??')]).patch);
    expect(store.getState().generation.base.text).toBe('Hello');
    expect(store.getState().generation.adapted.text).toBe('Hi');
    store.getState().finishStream('base', { requestId: 1, text: 'Hello', tokens: 2, finish: 'eos' });
    store.setState(applyEngineEvents(store.getState(), [tokens(1, '!')]).patch);
    expect(store.getState().generation.base.text).toBe('Hello');
  });
});

describe('GPU faults', () => {
  it('become notices, whatever was running', () => {
    const state = createStudioStore().getState();
    const { warnings } = applyEngineEvents(state, [{ type: 'gpuFault', kind: 'lost', message: 'The GPU device was lost (unknown).' }]);
    expect(warnings).toEqual(['The GPU device was lost (unknown).']);
  });
});
