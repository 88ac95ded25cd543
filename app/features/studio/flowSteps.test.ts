import { beforeEach, describe, expect, it } from 'vitest';
import type { LmDatasetSummary, ModelSummary } from '../../../src/index.ts';
import { studioStore } from '../../store/studioStore.ts';
import { resetStudioStore, tinyLm } from '../../testing/studioFixtures.ts';
import { flowSteps } from './flowSteps.ts';

const states = (task: 'classifier' | 'lm') => Object.fromEntries(flowSteps(studioStore.getState(), task).map((s) => [s.key, s.state]));

describe('flowSteps', () => {
  beforeEach(resetStudioStore);

  it('starts at the model: everything later waits, try and export only after a run', () => {
    expect(states('lm')).toEqual({ model: 'current', data: 'todo', plan: 'todo', train: 'todo', try: 'todo', export: 'todo' });
  });

  it('moves to Train once model, data and a plan are there, and to Try it once a run finished', () => {
    const s = studioStore.getState();
    s.setLmModel(tinyLm);
    expect(states('lm').data).toBe('current');
    s.setLmDataset({ name: 'chat.jsonl', train: 9 } as LmDatasetSummary, 'chat.jsonl');
    expect(states('lm').plan).toBe('current');
    s.replaceLmPlan({ 'transformer.h.0.attn.c_attn': { kind: 'lora', r: 8, alpha: 16 } });
    expect(states('lm')).toMatchObject({ model: 'done', data: 'done', plan: 'done', train: 'current', try: 'todo' });
    studioStore.setState((st) => ({ session: { ...st.session, trainedRun: { ...st.session.trainedRun, lm: { task: 'lm', present: true, stale: false, reason: null } } } }));
    expect(states('lm')).toMatchObject({ train: 'done', try: 'current', export: 'ready' });
    // The other task's steps are its own.
    expect(states('classifier').model).toBe('current');
  });

  it('a rejected plan sends the user back to the plan step', () => {
    const s = studioStore.getState();
    s.setModelSummary({ name: 'cnn', layers: [] } as unknown as ModelSummary);
    s.setPlanError('conv1 has no weights for LoRA');
    expect(states('classifier')).toMatchObject({ model: 'done', data: 'current', plan: 'todo' });
  });
});
