import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, DEFAULT_LM_TRAIN_CONFIG, type EngineEvent, type ResumedRun } from '../../../src/index.ts';
import { applyEngineEvents } from '../../engine/applyEngineEvents.ts';
import { pendingResume } from '../../store/checkpointSlice.ts';
import { createStudioStore } from '../../store/studioStore.ts';
import { formConfigOf } from './resumedRun.ts';

const saved = (runId: string, kind: 'image' | 'lm') => ({ runId, kind, startedAt: 1, savedAt: 2, step: 5, totalSteps: 10, finished: false, bytes: 1, modelName: 'm', datasetName: 'd', name: 'n' });

describe('a run that starts or resumes', () => {
  it('is never offered for resuming while (or after) this page runs it', () => {
    const store = createStudioStore();
    store.getState().setCheckpoints({ runs: [saved('run-a', 'image')], loaded: true });
    expect(pendingResume(store.getState().checkpoints, 'classifier')?.runId).toBe('run-a');
    const { patch } = applyEngineEvents(store.getState(), [{ type: 'runStarted', task: 'classifier', runId: 'run-a', resumed: null }]);
    store.setState(patch);
    expect(store.getState().checkpoints.runningId).toBe('run-a');
    expect(pendingResume(store.getState().checkpoints, 'classifier')).toBeNull();
    // A fresh run changes nothing else: the form keeps what the user set.
    expect(patch.runs).toBeUndefined();
  });

  it('puts back the run: its settings, plan, mode tab and chart up to the checkpoint', () => {
    const store = createStudioStore();
    const config = { ...DEFAULT_LM_TRAIN_CONFIG, steps: 300, learningRate: 5e-3, schedule: { kind: 'constant' as const }, evalEvery: 50 };
    const { schedule: _s, clipNorm: _c, ...sent } = config; // as trainActions' runConfig sends it: constant schedule and no clipping left out
    void _s;
    void _c;
    const resumed: ResumedRun = {
      runId: 'run-b',
      config: sent,
      plan: { 'model.layers.0.self_attn.q_proj': { kind: 'lora', r: 16, alpha: 32 } },
      step: 2,
      totalSteps: 300,
      steps: [
        { step: 1, loss: 3, learningRate: 5e-3, tokensPerSecond: 10 },
        { step: 2, loss: 2.5, learningRate: 5e-3, tokensPerSecond: 11 },
      ],
      evals: [{ step: 2, validationLoss: 2.4 }],
    };
    const events: EngineEvent[] = [
      { type: 'runStarted', task: 'lm', runId: 'run-b', resumed },
      { type: 'step', task: 'lm', point: { step: 3, loss: 2, learningRate: 5e-3 }, totalSteps: 300, elapsedMs: 30 },
    ];
    store.setState(applyEngineEvents(store.getState(), events).patch);
    const s = store.getState();
    expect(s.session.mode).toBe('lm');
    expect(s.lm.plan.modules).toEqual(resumed.plan);
    expect(s.runs.lm.config).toEqual({ ...config, clipNorm: 0, continueFromLastRun: false });
    expect(s.runs.lm.steps.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(s.runs.lm.evals).toEqual(resumed.evals);
  });

  it('turns the settings sent back into the form (what was off stays off)', () => {
    const form = { ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, clipNorm: 1, earlyStopping: { patience: 3 }, continueFromLastRun: true };
    expect(formConfigOf({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 3000, resumeFrom: 'x' }, form)).toEqual({
      ...DEFAULT_CLASSIFIER_TRAIN_CONFIG,
      epochs: 3000,
      schedule: { kind: 'constant' },
      clipNorm: 0,
      earlyStopping: { patience: 0 },
      continueFromLastRun: false,
    });
  });
});
