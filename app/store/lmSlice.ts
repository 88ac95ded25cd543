import type { StateCreator } from 'zustand';
import {
  DEFAULT_LM_DATASET_OPTIONS,
  DEFAULT_LM_TRAIN_CONFIG,
  type LmEngineEvent,
  type LmModuleMode,
  type LmPlan,
} from '../../src/index.ts';
import type { LmGenerationStream, LmSlice, LmState, StudioState } from './types.ts';

/** Language-model mode: model, plan, dataset, run, generation. Plain snapshots only (the dataset Blob lives in lmActions). */

const MAX_LM_LOGS = 3;

export const emptyStream: LmGenerationStream = { requestId: null, text: '', done: false, tokens: 0, finish: null, skipped: null };

export const initialLm: LmState = {
  model: { summary: null, loading: false, progress: null, source: null },
  plan: { modules: {}, presetRank: 8, presetDropout: 0, presetRslora: false, summary: null, error: null, syncing: false },
  dataset: { summary: null, fileName: null, options: { ...DEFAULT_LM_DATASET_OPTIONS }, importing: false },
  run: {
    config: { ...DEFAULT_LM_TRAIN_CONFIG },
    state: 'idle',
    busy: false,
    stopping: false,
    steps: [],
    evals: [],
    totalSteps: 0,
    elapsedMs: 0,
    result: null,
    hasAdapter: false,
    importedValidationLoss: null,
    logs: [],
  },
  generation: {
    settings: { prompt: '', chat: true, maxNewTokens: 48, temperature: 0, topK: 0, topP: 1, seed: 42 },
    base: emptyStream,
    adapted: emptyStream,
    generating: false,
    strength: 1,
    strengthLoss: null,
  },
};

/** One engine event folded into the LM state (pure; applyEngineEvents calls it per event). */
export function reduceLmEvent(lm: LmState, event: LmEngineEvent): LmState {
  switch (event.type) {
    case 'lmStep':
      return {
        ...lm,
        run: { ...lm.run, steps: [...lm.run.steps, event.point], totalSteps: event.totalSteps, elapsedMs: event.elapsedMs },
      };
    case 'lmEval': {
      const evals = lm.run.evals.filter((e) => e.step !== event.point.step);
      evals.push(event.point);
      evals.sort((a, b) => a.step - b.step);
      return { ...lm, run: { ...lm.run, evals } };
    }
    case 'lmToken':
      return { ...lm, generation: appendToken(lm.generation, event.requestId, event.text) };
  }
}

function appendToken(g: LmState['generation'], requestId: number, text: string): LmState['generation'] {
  // Tokens of a stream that is finished (or not ours any more) are ignored: the result's text is authoritative.
  if (g.base.requestId === requestId && !g.base.done) return { ...g, base: { ...g.base, text: g.base.text + text, tokens: g.base.tokens + 1 } };
  if (g.adapted.requestId === requestId && !g.adapted.done)
    return { ...g, adapted: { ...g.adapted, text: g.adapted.text + text, tokens: g.adapted.tokens + 1 } };
  return g;
}

/**
 * A batch of LM events, with steps appended in one copy (a fast run sends hundreds per frame).
 * Equivalent to folding reduceLmEvent over the batch.
 */
export function reduceLmEvents(lm: LmState, events: readonly LmEngineEvent[]): LmState {
  const steps = events.filter((e) => e.type === 'lmStep');
  let next = lm;
  if (steps.length > 0) {
    const last = steps[steps.length - 1]!;
    next = {
      ...next,
      run: { ...next.run, steps: [...next.run.steps, ...steps.map((e) => e.point)], totalSteps: last.totalSteps, elapsedMs: last.elapsedMs },
    };
  }
  for (const e of events) if (e.type !== 'lmStep') next = reduceLmEvent(next, e);
  return next;
}

/** Adds a log line to the LM run (newest last, a few kept). */
export function withLmLog(lm: LmState, message: string): LmState {
  return { ...lm, run: { ...lm.run, logs: [...lm.run.logs, message].slice(-MAX_LM_LOGS) } };
}

const setLm = (s: StudioState, patch: (lm: LmState) => LmState): Pick<StudioState, 'lm'> => ({ lm: patch(s.lm) });

export const createLmSlice: StateCreator<StudioState, [], [], LmSlice> = (set) => ({
  mode: 'images',
  lm: initialLm,
  setMode: (mode) => set({ mode }),
  setLmModelLoading: (loading, source) =>
    set((s) =>
      setLm(s, (lm) => ({ ...lm, model: { ...lm.model, loading, progress: loading ? null : lm.model.progress, source: source ?? lm.model.source } })),
    ),
  setLmModel: (summary) =>
    set((s) =>
      setLm(s, (lm) => ({
        ...lm,
        model: { ...lm.model, summary, loading: false, progress: null },
        // A new model: the old plan's paths, adapter, run and outputs no longer apply.
        plan: { ...lm.plan, modules: {}, summary: null, error: null, syncing: false },
        dataset: {
          ...lm.dataset,
          options: { ...lm.dataset.options, maxLength: Math.min(lm.dataset.options.maxLength, summary.contextLength) },
        },
        run: { ...initialLm.run, config: lm.run.config },
        generation: { ...lm.generation, base: emptyStream, adapted: emptyStream, generating: false, strength: 1, strengthLoss: null },
      })),
    ),
  setLmModelProgress: (progress) => set((s) => setLm(s, (lm) => ({ ...lm, model: { ...lm.model, progress } }))),
  setLmModuleMode: (path, mode) => set((s) => setLm(s, (lm) => ({ ...lm, plan: { ...lm.plan, modules: withModuleMode(lm.plan.modules, path, mode) } }))),
  replaceLmPlan: (modules) => set((s) => setLm(s, (lm) => ({ ...lm, plan: { ...lm.plan, modules: { ...modules } } }))),
  setLmPresetOptions: (patch) => set((s) => setLm(s, (lm) => ({ ...lm, plan: { ...lm.plan, ...patch } }))),
  setLmPlanSyncing: (syncing) => set((s) => setLm(s, (lm) => ({ ...lm, plan: { ...lm.plan, syncing } }))),
  setLmPlanSummary: (summary) => set((s) => setLm(s, (lm) => ({ ...lm, plan: { ...lm.plan, summary, error: null, syncing: false } }))),
  setLmPlanError: (error) => set((s) => setLm(s, (lm) => ({ ...lm, plan: { ...lm.plan, error, syncing: false } }))),
  setLmDatasetOptions: (patch) =>
    set((s) => setLm(s, (lm) => ({ ...lm, dataset: { ...lm.dataset, options: { ...lm.dataset.options, ...patch } } }))),
  setLmDatasetImporting: (importing) => set((s) => setLm(s, (lm) => ({ ...lm, dataset: { ...lm.dataset, importing } }))),
  setLmDataset: (summary, fileName) =>
    set((s) => setLm(s, (lm) => ({ ...lm, dataset: { ...lm.dataset, summary, fileName, importing: false } }))),
  setLmTrainConfig: (patch) => set((s) => setLm(s, (lm) => ({ ...lm, run: { ...lm.run, config: { ...lm.run.config, ...patch } } }))),
  beginLmRun: () =>
    set((s) =>
      setLm(s, (lm) => ({
        ...lm,
        run: { ...lm.run, state: 'training', busy: true, stopping: false, steps: [], evals: [], totalSteps: lm.run.config.steps, elapsedMs: 0, logs: [] },
      })),
    ),
  setLmStopping: () => set((s) => setLm(s, (lm) => ({ ...lm, run: { ...lm.run, stopping: true } }))),
  finishLmRun: (result) =>
    set((s) =>
      setLm(s, (lm) => ({
        ...lm,
        run: {
          ...lm.run,
          state: result ? result.state : 'error',
          busy: false,
          stopping: false,
          result: result ?? lm.run.result,
          // A run with steps leaves an adapter; a failed run keeps whatever there was.
          hasAdapter: result ? lm.run.hasAdapter || result.steps > 0 : lm.run.hasAdapter,
          importedValidationLoss: result && result.steps > 0 ? null : lm.run.importedValidationLoss,
        },
        generation: result && result.steps > 0 ? { ...lm.generation, strength: 1, strengthLoss: null } : lm.generation,
      })),
    ),
  setLmImportedAdapter: (plan, validationLoss) =>
    set((s) =>
      setLm(s, (lm) => ({
        ...lm,
        // The old totals were for another plan; the engine's totals come with the next change.
        plan: { ...lm.plan, modules: { ...plan }, summary: null, error: null, syncing: false },
        run: { ...lm.run, hasAdapter: true, importedValidationLoss: validationLoss },
        generation: { ...lm.generation, strength: 1, strengthLoss: null },
      })),
    ),
  setLmGenerationSettings: (patch) =>
    set((s) => setLm(s, (lm) => ({ ...lm, generation: { ...lm.generation, settings: { ...lm.generation.settings, ...patch } } }))),
  beginLmGeneration: (baseId, adaptedId, adaptedSkipped) =>
    set((s) =>
      setLm(s, (lm) => ({
        ...lm,
        generation: {
          ...lm.generation,
          generating: true,
          base: { ...emptyStream, requestId: baseId },
          adapted: adaptedSkipped ? { ...emptyStream, done: true, skipped: adaptedSkipped } : { ...emptyStream, requestId: adaptedId },
        },
      })),
    ),
  finishLmStream: (which, result, error) =>
    set((s) =>
      setLm(s, (lm) => {
        const stream = lm.generation[which];
        if (result && stream.requestId !== result.requestId) return lm;
        const done: LmGenerationStream = result
          ? { ...stream, text: result.text, tokens: result.tokens, finish: result.finish, done: true }
          : { ...stream, done: true, skipped: error ?? stream.skipped };
        return { ...lm, generation: { ...lm.generation, [which]: done } };
      }),
    ),
  endLmGeneration: () => set((s) => setLm(s, (lm) => ({ ...lm, generation: { ...lm.generation, generating: false } }))),
  setLmStrength: (strength) => set((s) => setLm(s, (lm) => ({ ...lm, generation: { ...lm.generation, strength } }))),
  setLmStrengthLoss: (strengthLoss) => set((s) => setLm(s, (lm) => ({ ...lm, generation: { ...lm.generation, strengthLoss } }))),
});

/** A plan with one module's mode changed; frozen modules are left out of the plan. */
export function withModuleMode(plan: LmPlan, path: string, mode: LmModuleMode): LmPlan {
  const next = { ...plan };
  if (mode.kind === 'frozen') delete next[path];
  else next[path] = mode;
  return next;
}
