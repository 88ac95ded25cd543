import { beforeEach, describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../../src/index.ts';
import { studioStore } from '../../store/studioStore.ts';
import { resetStudioStore } from '../../testing/studioFixtures.ts';
import { classifierPlanWords, lmPlanWords, summarizeRun } from './runSummary.ts';

describe('run summary', () => {
  beforeEach(resetStudioStore);

  it('says what trains, in words', () => {
    expect(classifierPlanWords({})).toBe('the new head only (base frozen)');
    expect(classifierPlanWords({ conv3: { kind: 'lora', r: 4, alpha: 8 }, embedding: { kind: 'full' } })).toBe('LoRA r=4 on 1 layer and 1 layer trained in full, plus the new head');
    expect(lmPlanWords({ a: { kind: 'lora', r: 2, alpha: 4 }, b: { kind: 'lora', r: 8, alpha: 16 } })).toBe('LoRA r=2–8 on 2 projections');
    expect(lmPlanWords({})).toBe('nothing yet: choose a plan');
  });

  it('counts a classifier run in steps: epochs x batches of the training split', () => {
    const s = studioStore.getState();
    s.setDataset({ name: 'shapes', total: 96, classes: [20, 20, 20, 20].map((train, i) => ({ name: `c${i}`, count: 24, train, validation: 4 })), issues: [], validationFraction: 0.15, seed: 42 } as DatasetSummary, {});
    s.setTrainConfig('classifier', { epochs: 30, batchSize: 16 });
    const summary = summarizeRun(studioStore.getState(), 'classifier');
    expect(summary.steps).toBe(30 * 5);
    expect(summary.stepsDetail).toBe('30 epochs × 5 batches of 16');
    expect(summary.estimatedMs).toBeNull();
  });

  it('estimates the time from the last run’s measured speed', () => {
    studioStore.setState((st) => ({ runs: { ...st.runs, lm: { ...st.runs.lm, timing: { firstStepsDone: 1, firstElapsedMs: 100, lastStepsDone: 11, lastElapsedMs: 2100 } } } }));
    const summary = summarizeRun(studioStore.getState(), 'lm');
    // 200 ms a step over the steps measured, times the configured steps.
    expect(summary.estimatedMs).toBeCloseTo(200 * studioStore.getState().runs.lm.config.steps);
  });
});
