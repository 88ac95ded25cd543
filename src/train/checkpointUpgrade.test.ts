/**
 * Checkpoints written before the shared train settings: their configs and plans are upgraded as
 * they are decoded, and today's pass through unchanged.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, DEFAULT_LM_TRAIN_CONFIG } from '../api.ts';
import { deserializeCheckpoint, emptyHistory, historyPoints, serializeCheckpoint, upgradeCheckpoint, type Checkpoint, type LoopState } from './checkpoint.ts';

/** A format-1 state: no step history. */
const oldState = {
  step: 1,
  totalSteps: 2,
  lastLoss: 1,
  elapsedMs: 0,
  weights: [],
  optimizer: { step: 1, m: [], v: [] },
  rng: { order: 1 },
  position: { kind: 'lm', cursor: 1, order: Int32Array.of(1, 0), trainedTokens: 3, evals: [{ step: 1, validationLoss: 2, samples: [] }], pendingEval: false },
} as Omit<LoopState, 'history'> as LoopState;

/** Today's state: the step history travels with it. */
const state: LoopState = { ...oldState, history: { firstStep: 1, loss: Float32Array.of(2.5), learningRate: Float32Array.of(0.001), tokensPerSecond: Float32Array.of(40) } };

function checkpointWith(kind: Checkpoint['meta']['kind'], config: unknown, plan: unknown, version: 1 | 2 = 1): Checkpoint {
  return {
    meta: { version, runId: 'r', kind, startedAt: 1, createdAt: 2, step: 1, totalSteps: 2, finished: false, config, plan, model: { name: 'm', params: 1 }, dataset: { name: 'd', hash: 'h', rows: 2 } } as unknown as Checkpoint['meta'],
    state: version === 1 ? oldState : state,
  };
}

const oldLmConfig = {
  learningRate: 2e-3,
  batchSize: 4,
  gradAccumulation: 2,
  steps: 60,
  warmupSteps: 6,
  schedule: 'cosine',
  weightDecay: 0,
  clipNorm: 1,
  evalEvery: 20,
  earlyStoppingPatience: 3,
  seed: 42,
  samplePrompts: ['hi'],
  checkpoint: { everySteps: 10, everySeconds: 0 },
};

describe('checkpoint upgrade', () => {
  it('gives an old classifier config its task and turns { kind: "train" } layers into { kind: "full" }', () => {
    const old = { learningRate: 0.01, batchSize: 16, epochs: 30, weightDecay: 0.01, seed: 42, schedule: { kind: 'linear', warmupSteps: 2 }, earlyStopping: { patience: 2, minDelta: 0.1 } };
    const plan = { conv1: { kind: 'lora', r: 4, alpha: 8 }, dense_1: { kind: 'train' }, bn: { kind: 'frozen' } };
    const up = upgradeCheckpoint(checkpointWith('image', old, plan));
    expect(up.meta.config).toEqual({ ...old, task: 'classifier' });
    expect(up.meta.plan).toEqual({ conv1: { kind: 'lora', r: 4, alpha: 8 }, dense_1: { kind: 'full' }, bn: { kind: 'frozen' } });
    expect(up.meta.version).toBe(2);
    expect(up.state).toEqual({ ...oldState, history: emptyHistory(1) });
  });

  it('turns an old language-model config into task "lm" with a schedule object and early stopping', () => {
    const up = upgradeCheckpoint(checkpointWith('lm', oldLmConfig, { 'model.layers.0.mlp.up_proj': { kind: 'full' } }));
    const { warmupSteps: _w, earlyStoppingPatience: _e, ...kept } = oldLmConfig;
    expect(up.meta.config).toEqual({ ...kept, task: 'lm', schedule: { kind: 'cosine', warmupSteps: 6 }, earlyStopping: { patience: 3 } });
    expect(up.meta.plan).toEqual({ 'model.layers.0.mlp.up_proj': { kind: 'full' } });
    const constant = upgradeCheckpoint(checkpointWith('lm', { ...oldLmConfig, schedule: 'constant' }, {}));
    expect(constant.meta.config.schedule).toEqual({ kind: 'constant' });
  });

  it('upgrades while decoding, and leaves current checkpoints as they are', () => {
    const decoded = deserializeCheckpoint(serializeCheckpoint(checkpointWith('lm', oldLmConfig, {})));
    expect(decoded.meta.config).toMatchObject({ task: 'lm', schedule: { kind: 'cosine', warmupSteps: 6 }, earlyStopping: { patience: 3 } });
    expect(decoded.state.position).toEqual(state.position);
    for (const [kind, config] of [['table', DEFAULT_CLASSIFIER_TRAIN_CONFIG], ['lm', DEFAULT_LM_TRAIN_CONFIG]] as const) {
      const current = checkpointWith(kind, config, { dense: { kind: 'full' } }, 2);
      expect(upgradeCheckpoint(current)).toEqual(current);
      const back = deserializeCheckpoint(serializeCheckpoint(current));
      expect(back.meta).toEqual(current.meta);
      expect(back.state.history).toEqual(state.history);
    }
  });

  it('gives a format-1 state an empty history that starts after its step, and keeps a format-2 history as points', () => {
    const up = deserializeCheckpoint(serializeCheckpoint(checkpointWith('lm', oldLmConfig, {})));
    expect(up.state.history).toEqual({ firstStep: 2, loss: new Float32Array(0), learningRate: new Float32Array(0) });
    expect(historyPoints(up.state.history)).toEqual([]);
    expect(historyPoints(state.history)).toEqual([{ step: 1, loss: 2.5, learningRate: Math.fround(0.001), tokensPerSecond: 40 }]);
  });

  it('refuses a format newer than it reads, with a sentence', () => {
    const bytes = serializeCheckpoint(checkpointWith('lm', DEFAULT_LM_TRAIN_CONFIG, {}, 2));
    new DataView(bytes.buffer).setUint32(4, 3, true);
    expect(() => deserializeCheckpoint(bytes)).toThrow(/format 3 is not supported .*newer Tabtune/);
  });
});
