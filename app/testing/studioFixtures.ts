import { vi } from 'vitest';
import type { LmModelSummary, SessionApi } from '../../src/index.ts';
import type { EngineHandle } from '../engine/EngineProvider.tsx';
import { createPageHold } from '../engine/pageHold.ts';
import { initialGeneration } from '../store/generationSlice.ts';
import { initialLm } from '../store/lmSlice.ts';
import { initialPlan } from '../store/planSlice.ts';
import { initialRuns } from '../store/runSlice.ts';
import { initialSession } from '../store/sessionSlice.ts';
import { studioStore } from '../store/studioStore.ts';

/** A handle on a fake engine that has only the methods a test gives it. */
export function fakeHandle(engine: Partial<SessionApi>): EngineHandle {
  return { engine: engine as SessionApi, flushEvents: vi.fn(), held: createPageHold() };
}

export const tinyLm: LmModelSummary = {
  name: 'tiny',
  architecture: 'gpt2',
  family: 'GPT-2',
  vocabSize: 10,
  hiddenSize: 4,
  numLayers: 1,
  numHeads: 1,
  numKvHeads: 1,
  contextLength: 32,
  totalParams: 100,
  weightBytes: 400,
  float16Weights: 0,
  modules: [],
  projectionNames: ['c_attn'],
  defaultTargets: ['c_attn'],
  hasChatTemplate: false,
};

/** Puts the app's store back to its start (the data, not the actions), so each test starts from the same state. */
export function resetStudioStore(): void {
  studioStore.setState((s) => ({
    session: initialSession,
    runs: initialRuns,
    plan: initialPlan,
    lm: initialLm,
    generation: initialGeneration,
    notice: { ...s.notice, errors: [], notices: [] },
  }));
}
