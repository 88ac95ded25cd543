import { beforeEach, describe, expect, it } from 'vitest';
import type { ModelSummary, PlanSummary, SessionApi, TrainPlan } from '../../../src/index.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { createPageHold } from '../../engine/pageHold.ts';
import { initialPlan } from '../../store/planSlice.ts';
import { studioStore } from '../../store/studioStore.ts';
import { syncPlan } from './planSync.ts';

const MODEL: ModelSummary = {
  name: 'm',
  description: '',
  inputKind: 'image',
  inputShape: [8, 8, 1],
  layers: [],
  featureLayer: 'embedding',
  featureSize: 4,
  totalParams: 100,
};

const summaryFor = (plan: TrainPlan, trainableParams: number): PlanSummary => ({
  plan,
  trainableParams,
  totalParams: 100,
  memory: { batchSize: 16, weights: 400, gradients: 40, optimizer: 80, activations: 64, total: 584 },
});

function handleWith(setPlan: SessionApi['setPlan']): EngineHandle {
  return { engine: { setPlan } as SessionApi, flushEvents: () => {}, held: createPageHold() };
}

describe('syncPlan', () => {
  beforeEach(() => {
    studioStore.setState({ plan: initialPlan });
    studioStore.getState().setModelSummary(MODEL);
  });

  it('stores the totals, then the engine’s sentence for a rejected plan, and clears it once fixed', async () => {
    studioStore.getState().setLayerMode('embedding', { kind: 'lora', r: 2, alpha: 4 });
    let sent: TrainPlan | null = null;
    expect(await syncPlan(handleWith((plan) => ((sent = plan), Promise.resolve(summaryFor(plan, 10)))))).toBe(true);
    expect(sent).toEqual({ embedding: { kind: 'lora', r: 2, alpha: 4 } });
    expect(studioStore.getState().plan.summary?.trainableParams).toBe(10);

    const reject = () => Promise.reject(Object.assign(new Error('layer "embedding": LoRA rank r = 99 is too large.'), { code: 'lora-plan-invalid' }));
    expect(await syncPlan(handleWith(reject))).toBe(false);
    expect(studioStore.getState().plan.error).toContain('embedding');

    await syncPlan(handleWith((plan) => Promise.resolve(summaryFor(plan, 12))));
    expect(studioStore.getState().plan.error).toBeNull();
  });

  it('sends LoRA dropout and rsLoRA with the plan', async () => {
    studioStore.getState().setLayerMode('embedding', { kind: 'lora', r: 2, alpha: 4, dropout: 0.1, rslora: true });
    let sent: TrainPlan | null = null;
    expect(await syncPlan(handleWith((plan) => ((sent = plan), Promise.resolve(summaryFor(plan, 10)))))).toBe(true);
    expect(sent).toStrictEqual({ embedding: { kind: 'lora', r: 2, alpha: 4, dropout: 0.1, rslora: true } });
  });

  it('keeps only the newest answer and ignores "busy"', async () => {
    let release: (s: PlanSummary) => void = () => {};
    const slow = syncPlan(handleWith(() => new Promise<PlanSummary>((r) => (release = r))));
    await syncPlan(handleWith((plan) => Promise.resolve(summaryFor(plan, 7))));
    release(summaryFor({}, 1));
    await slow;
    expect(studioStore.getState().plan.summary?.trainableParams).toBe(7);

    const busy = () => Promise.reject(Object.assign(new Error('Training is running'), { code: 'busy' }));
    expect(await syncPlan(handleWith(busy))).toBe(false);
    expect(studioStore.getState().plan.error).toBeNull();
    expect(studioStore.getState().plan.syncing).toBe(false);
  });

  it('frozen removes a layer from the plan', () => {
    const s = studioStore.getState();
    s.setLayerMode('conv3', { kind: 'full' });
    s.setLayerMode('conv3', { kind: 'frozen' });
    expect(studioStore.getState().plan.layers).toEqual({});
  });
});
