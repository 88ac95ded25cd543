import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineApi, GenerateRequest, LmTrainResult } from '../../../src/index.ts';
import type { EngineHandle } from '../../engine/EngineProvider.tsx';
import { initialLm } from '../../store/lmSlice.ts';
import { studioStore } from '../../store/studioStore.ts';
import { generateBoth, syncLmPlan, trainLm } from './lmActions.ts';

const summary = {
  name: 'tiny',
  architecture: 'gpt2' as const,
  vocabSize: 10,
  hiddenSize: 4,
  numLayers: 1,
  numHeads: 1,
  numKvHeads: 1,
  contextLength: 32,
  totalParams: 100,
  weightBytes: 400,
  modules: [],
  projectionNames: ['c_attn'],
  defaultTargets: ['c_attn'],
  hasChatTemplate: false,
};

function fakeHandle(overrides: Partial<EngineApi>): EngineHandle {
  return { engine: overrides as EngineApi, flushEvents: vi.fn() };
}

beforeEach(() => {
  studioStore.setState({ lm: { ...initialLm, model: { ...initialLm.model, summary } } });
  studioStore.setState((s) => ({ notice: { ...s.notice, errors: [] } }));
});

describe('generateBoth', () => {
  it('runs base then adapted with distinct request ids and stores the results', async () => {
    studioStore.setState((s) => ({ lm: { ...s.lm, run: { ...s.lm.run, hasAdapter: true } } }));
    const calls: GenerateRequest[] = [];
    const handle = fakeHandle({
      lmGenerate: async (req) => {
        calls.push(req);
        return { requestId: req.requestId, text: `${req.model} text`, tokens: 2, finish: 'eos' };
      },
    });
    await generateBoth(handle);
    expect(calls.map((c) => c.model)).toEqual(['base', 'adapted']);
    expect(calls[0]!.requestId).not.toBe(calls[1]!.requestId);
    const g = studioStore.getState().lm.generation;
    expect(g.base).toMatchObject({ text: 'base text', done: true, requestId: calls[0]!.requestId });
    expect(g.adapted).toMatchObject({ text: 'adapted text', done: true });
    expect(g.generating).toBe(false);
  });

  it('skips the adapted run without an adapter, and reports a failed base run', async () => {
    const lmGenerate = vi.fn(async () => {
      throw Object.assign(new Error('Out of memory'), { code: 'oom' });
    });
    await generateBoth(fakeHandle({ lmGenerate }));
    expect(lmGenerate).toHaveBeenCalledTimes(1);
    const s = studioStore.getState();
    expect(s.lm.generation.base).toMatchObject({ done: true, skipped: 'Out of memory' });
    expect(s.lm.generation.adapted.done).toBe(true);
    expect(s.notice.errors.at(-1)?.code).toBe('oom');
  });
});

describe('trainLm', () => {
  it('sends the plan, trains, and records the result', async () => {
    const result: LmTrainResult = { state: 'done', stoppedEarly: false, steps: 5, finalLoss: 1, evals: [], baseValidationLoss: 2 };
    const lmSetPlan = vi.fn(async (plan) => ({ plan, trainableParams: 10, totalParams: 100, memoryBytes: 1 }));
    const lmTrain = vi.fn(async () => result);
    studioStore.getState().setLmModuleMode('transformer.h.0.attn.c_attn', { kind: 'lora', r: 8, alpha: 16 });
    await trainLm(fakeHandle({ lmSetPlan, lmTrain }));
    expect(lmSetPlan).toHaveBeenCalledWith({ 'transformer.h.0.attn.c_attn': { kind: 'lora', r: 8, alpha: 16 } }, 4, 128);
    expect(studioStore.getState().lm.run).toMatchObject({ state: 'done', busy: false, hasAdapter: true, result });
  });

  it('keeps only the newest plan answer', async () => {
    let resolveFirst: (v: unknown) => void = () => {};
    const lmSetPlan = vi
      .fn()
      .mockImplementationOnce(() => new Promise((r) => (resolveFirst = r)))
      .mockImplementationOnce(async (plan) => ({ plan, trainableParams: 2, totalParams: 100, memoryBytes: 1 }));
    const handle = fakeHandle({ lmSetPlan });
    const first = syncLmPlan(handle);
    await syncLmPlan(handle);
    resolveFirst({ plan: {}, trainableParams: 1, totalParams: 100, memoryBytes: 1 });
    await first;
    expect(studioStore.getState().lm.plan.summary?.trainableParams).toBe(2);
  });
});

describe('plan sync', () => {
  it('does not send an unchanged plan again', async () => {
    const lmSetPlan = vi.fn(async (plan) => ({ plan, trainableParams: 3, totalParams: 100, memoryBytes: 1 }));
    const handle = fakeHandle({ lmSetPlan });
    studioStore.getState().setLmModuleMode('m.unchanged', { kind: 'full' });
    await syncLmPlan(handle);
    await syncLmPlan(handle);
    expect(lmSetPlan).toHaveBeenCalledTimes(1);
    studioStore.getState().setLmTrainConfig({ batchSize: 2 });
    await syncLmPlan(handle);
    expect(lmSetPlan).toHaveBeenCalledTimes(2);
  });
});
