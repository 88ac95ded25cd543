import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../../src/index.ts';
import { runConfig } from './trainActions.ts';

describe('runConfig', () => {
  it('leaves out settings that are off', () => {
    const config = { ...DEFAULT_TRAIN_CONFIG, schedule: { kind: 'constant' as const }, clipNorm: 0, earlyStopping: { patience: 0 }, continueFromLastRun: true };
    expect(runConfig(config, false)).toEqual(DEFAULT_TRAIN_CONFIG);
  });

  it('passes schedule, clipping, patience and continue when set', () => {
    const config = {
      ...DEFAULT_TRAIN_CONFIG,
      schedule: { kind: 'cosine' as const, warmupSteps: 5 },
      clipNorm: 1,
      earlyStopping: { patience: 2 },
      continueFromLastRun: true,
    };
    expect(runConfig(config, true)).toEqual(config);
  });
});
