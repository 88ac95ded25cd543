import { describe, expect, it } from 'vitest';
import type { BackendReport, EngineEvent } from '../../src/index.ts';
import { createStudioStore } from '../store/studioStore.ts';
import { applyEngineEvents } from './applyEngineEvents.ts';

describe('applyEngineEvents', () => {
  it('returns an empty patch for no events', () => {
    const state = createStudioStore().getState();
    expect(applyEngineEvents(state, [])).toEqual({ patch: {}, warnings: [] });
  });

  it('keeps the run\'s last log messages (newest last) and turns warnings into notices', () => {
    const state = createStudioStore().getState();
    const events: EngineEvent[] = ['a', 'b', 'c', 'd'].map((message) => ({ type: 'log', level: 'info', message }));
    events.push({ type: 'log', level: 'warn', message: 'careful' });
    const { patch, warnings } = applyEngineEvents(state, events);
    expect(patch.training?.logs).toEqual(['c', 'd', 'careful']);
    expect(warnings).toEqual(['careful']);
  });

  it('applies the backend report and keeps the select in step with it', () => {
    const state = createStudioStore().getState();
    const report: BackendReport = { requested: 'wasm', name: 'wasm', reason: 'asked for wasm', adapter: null };
    const { patch } = applyEngineEvents(state, [{ type: 'backend', report }]);
    expect(patch.backend?.report).toBe(report);
    expect(patch.backend?.requested).toBe('wasm');
  });

  it('sends run progress to training and other tasks to the activity bar, clearing it when done', () => {
    const state = createStudioStore().getState();
    const events: EngineEvent[] = [
      { type: 'progress', task: 'import', done: 3, total: 10, label: 'a.png' },
      { type: 'progress', task: 'features', done: 5, total: 20, label: 'Computing base features 5/20' },
    ];
    const { patch } = applyEngineEvents(state, events);
    expect(patch.session?.activity).toEqual({ task: 'import', done: 3, total: 10, label: 'Decoding images: 3 of 10' });
    expect(patch.training?.progress).toEqual({ done: 5, total: 20, label: 'Computing base features 5/20' });
    const finished = applyEngineEvents(state, [{ type: 'progress', task: 'import', done: 10, total: 10, label: 'z.png' }]);
    expect(finished.patch.session?.activity).toBeNull();
  });

  it('replaces an epoch reported twice instead of duplicating its row', () => {
    const state = createStudioStore().getState();
    const e1 = { epoch: 1, step: 10, validationLoss: 1, validationAccuracy: 0.5, trainLoss: 1.2 };
    const again = { ...e1, validationLoss: 0.9 };
    const { patch } = applyEngineEvents(state, [
      { type: 'epoch', point: e1 },
      { type: 'epoch', point: again },
    ]);
    expect(patch.training?.epochs).toEqual([again]);
  });

  it('applies run states in order (the last one wins)', () => {
    const state = createStudioStore().getState();
    const { patch } = applyEngineEvents(state, [
      { type: 'runState', state: 'training' },
      { type: 'step', point: { step: 1, epoch: 1, loss: 2 }, totalSteps: 1, elapsedMs: 5 },
      { type: 'runState', state: 'done' },
    ]);
    expect(patch.training?.runState).toBe('done');
    expect(patch.training?.steps).toHaveLength(1);
  });

  it('measures the rate afresh after a pause (the engine\'s elapsed time includes the pause)', () => {
    const store = createStudioStore();
    const step = (n: number, ms: number): EngineEvent => ({ type: 'step', point: { step: n, epoch: 1, loss: 1 }, totalSteps: 100, elapsedMs: ms });
    const apply = (events: EngineEvent[]): void => store.setState(applyEngineEvents(store.getState(), events).patch);
    apply([{ type: 'runState', state: 'training' }, step(1, 10), step(2, 20), { type: 'runState', state: 'paused' }]);
    apply([{ type: 'runState', state: 'training' }]);
    expect(store.getState().training.resumed).toBe(true);
    apply([step(3, 5030)]);
    const { timing, resumed } = store.getState().training;
    expect(resumed).toBe(false);
    expect(timing).toEqual({ firstStepsDone: 3, firstElapsedMs: 5030, lastStepsDone: 3, lastElapsedMs: 5030 });
  });
});

describe('GPU faults', () => {
  it('become notices, whatever was running', () => {
    const state = createStudioStore().getState();
    const { warnings } = applyEngineEvents(state, [{ type: 'gpuFault', kind: 'lost', message: 'The GPU device was lost (unknown).' }]);
    expect(warnings).toEqual(['The GPU device was lost (unknown).']);
  });
});
