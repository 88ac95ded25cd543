import { beforeEach, describe, expect, it, vi } from 'vitest';
import { studioStore } from '../../store/studioStore.ts';
import { fakeHandle, resetStudioStore, tinyLm } from '../../testing/studioFixtures.ts';
import { syncLmPlan } from './lmPlanSync.ts';

beforeEach(() => {
  resetStudioStore();
  studioStore.getState().setLmModel(tinyLm);
});

describe('syncLmPlan', () => {
  it('keeps only the newest plan answer', async () => {
    let resolveFirst: (v: unknown) => void = () => {};
    const lmSetPlan = vi
      .fn()
      .mockImplementationOnce(() => new Promise((r) => (resolveFirst = r)))
      .mockImplementationOnce(async (plan) => ({ plan, trainableParams: 2, totalParams: 100, memoryBytes: 1, gradientCheckpointing: false, memoryBudgetBytes: null }));
    const handle = fakeHandle({ lmSetPlan });
    const first = syncLmPlan(handle);
    studioStore.getState().setLmModuleMode('m.a', { kind: 'full' });
    await syncLmPlan(handle);
    resolveFirst({ plan: {}, trainableParams: 1, totalParams: 100, memoryBytes: 1, gradientCheckpointing: false, memoryBudgetBytes: null });
    await first;
    expect(studioStore.getState().lm.plan.summary?.trainableParams).toBe(2);
  });

  it('does not send an unchanged plan again', async () => {
    const lmSetPlan = vi.fn(async (plan) => ({ plan, trainableParams: 3, totalParams: 100, memoryBytes: 1, gradientCheckpointing: false, memoryBudgetBytes: null }));
    const handle = fakeHandle({ lmSetPlan });
    studioStore.getState().setLmModuleMode('m.unchanged', { kind: 'full' });
    await syncLmPlan(handle);
    await syncLmPlan(handle);
    expect(lmSetPlan).toHaveBeenCalledTimes(1);
    studioStore.getState().setTrainConfig('lm', { batchSize: 2 });
    await syncLmPlan(handle);
    expect(lmSetPlan).toHaveBeenCalledTimes(2);
  });

  it("asks for a preference run's estimate (pairs, at the preference data's length) when that is the objective", async () => {
    const lmSetPlan = vi.fn(async (plan) => ({ plan, trainableParams: 3, totalParams: 100, memoryBytes: 1, gradientCheckpointing: false, memoryBudgetBytes: null }));
    const handle = fakeHandle({ lmSetPlan });
    studioStore.getState().setLmModuleMode('m.pairs', { kind: 'full' });
    await syncLmPlan(handle);
    expect(lmSetPlan.mock.calls[0]!.slice(1)).toEqual([studioStore.getState().runs.lm.config.batchSize, studioStore.getState().lm.dataset.options.maxLength, undefined, false]);
    studioStore.getState().setLmObjective('preference');
    studioStore.getState().setPreferenceOptions({ maxLength: 77 });
    await syncLmPlan(handle);
    expect(lmSetPlan).toHaveBeenCalledTimes(2);
    expect(lmSetPlan.mock.calls[1]!.slice(1)).toEqual([studioStore.getState().runs.lm.config.batchSize, 77, undefined, true]);
  });
});
