import { describe, expect, it } from 'vitest';
import type { BackendReport, EngineEvent } from '../../src/index.ts';
import { createStudioStore } from '../store/studioStore.ts';
import { applyEngineEvents } from './applyEngineEvents.ts';

describe('applyEngineEvents', () => {
  it('returns an empty patch for events that change nothing', () => {
    const state = createStudioStore().getState();
    expect(applyEngineEvents(state, [{ type: 'log', level: 'info', message: 'hi' }])).toEqual({ patch: {}, warnings: [] });
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
});
