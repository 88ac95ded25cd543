import type { StateCreator } from 'zustand';
import type { GenerateRequest, GenerateResult } from '../../src/index.ts';
import type { StudioState } from './state.ts';

/** Language-model generations: the prompt settings and the base and adapted outputs side by side. */
/** A generation's settings as the Try panel edits them: the engine's request without its target and id. */
export type GenerationSettings = Omit<GenerateRequest, 'model' | 'requestId'>;

export interface GenerationStream {
  /** Matches lmToken events; null before the first generation. */
  requestId: number | null;
  text: string;
  done: boolean;
  tokens: number;
  finish: GenerateResult['finish'] | null;
  /** Why this stream did not run or ended without a result (no adapter, an error, stopped). */
  skipped: string | null;
}

export interface GenerationState {
  settings: GenerationSettings;
  base: GenerationStream;
  adapted: GenerationStream;
  generating: boolean;
  /** Adapter strength the engine was last asked for (0 = base, 1 = as trained). */
  strength: number;
  /** Validation loss the engine answered for `strength`. */
  strengthLoss: number | null;
}

export interface GenerationSlice {
  generation: GenerationState;
  setGenerationSettings: (patch: Partial<GenerationSettings>) => void;
  /** adaptedSkipped: why the adapted stream does not run (no adapter), or null. */
  beginGeneration: (baseId: number, adaptedId: number, adaptedSkipped: string | null) => void;
  finishStream: (which: 'base' | 'adapted', result: GenerateResult | null, error?: string) => void;
  endGeneration: () => void;
  setStrength: (strength: number) => void;
  setStrengthLoss: (loss: number | null) => void;
}

export const emptyStream: GenerationStream = { requestId: null, text: '', done: false, tokens: 0, finish: null, skipped: null };

export const initialGeneration: GenerationState = {
  settings: { prompt: '', chat: true, maxNewTokens: 48, temperature: 0, topK: 0, topP: 1, seed: 42 },
  base: emptyStream,
  adapted: emptyStream,
  generating: false,
  strength: 1,
  strengthLoss: null,
};

/** Streamed text appended to its stream; tokens of a finished (or unknown) stream are ignored: the result's text is authoritative. */
export function appendTokens(g: GenerationState, tokens: readonly { requestId: number; text: string }[]): GenerationState {
  let next = g;
  for (const { requestId, text } of tokens) {
    for (const which of ['base', 'adapted'] as const) {
      const stream = next[which];
      if (stream.requestId === requestId && !stream.done) next = { ...next, [which]: { ...stream, text: stream.text + text, tokens: stream.tokens + 1 } };
    }
  }
  return next;
}

const setGen = (s: StudioState, patch: Partial<GenerationState>): Pick<StudioState, 'generation'> => ({ generation: { ...s.generation, ...patch } });

export const createGenerationSlice: StateCreator<StudioState, [], [], GenerationSlice> = (set) => ({
  generation: initialGeneration,
  setGenerationSettings: (patch) => set((s) => setGen(s, { settings: { ...s.generation.settings, ...patch } })),
  beginGeneration: (baseId, adaptedId, adaptedSkipped) =>
    set((s) =>
      setGen(s, {
        generating: true,
        base: { ...emptyStream, requestId: baseId },
        adapted: adaptedSkipped ? { ...emptyStream, done: true, skipped: adaptedSkipped } : { ...emptyStream, requestId: adaptedId },
      }),
    ),
  finishStream: (which, result, error) =>
    set((s) => {
      const stream = s.generation[which];
      if (result && stream.requestId !== result.requestId) return {};
      const done: GenerationStream = result
        ? { ...stream, text: result.text, tokens: result.tokens, finish: result.finish, done: true }
        : { ...stream, done: true, skipped: error ?? stream.skipped };
      return setGen(s, { [which]: done });
    }),
  endGeneration: () => set((s) => setGen(s, { generating: false })),
  setStrength: (strength) => set((s) => setGen(s, { strength })),
  setStrengthLoss: (strengthLoss) => set((s) => setGen(s, { strengthLoss })),
});
