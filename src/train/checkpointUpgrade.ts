/**
 * Checkpoints written before the shared train settings (format 1 all the same) carry the old config
 * and plan shapes; they are brought up to date as they are decoded, so every reader sees one shape:
 *  - a classifier config had no `task` (-> task 'classifier');
 *  - a language-model config had schedule 'constant' | 'cosine' | 'linear' beside warmupSteps, and
 *    earlyStoppingPatience (-> task 'lm', schedule { kind, warmupSteps }, earlyStopping { patience });
 *  - a classifier plan trained a layer in full as { kind: 'train' } (-> { kind: 'full' }).
 * Positions need nothing: the old EpochPoint and LmEvalPoint are EvalPoints already.
 * Format 1 (meta.version 1) kept no step history: it gets an empty one that starts after its step,
 * so a resumed run's chart starts at the checkpoint (its evaluations are still there).
 * Already-current checkpoints pass through unchanged (the upgrade is idempotent).
 */
import type { LrSchedule, ModuleMode, TrainConfig, TrainPlan } from '../api.ts';
import type { Checkpoint, RunKind } from './checkpointState.ts';
import { emptyHistory } from './stepHistory.ts';

type Loose = Record<string, unknown>;

function upgradeConfig(config: Loose, kind: RunKind): TrainConfig {
  if (typeof config.task === 'string') return config as unknown as TrainConfig;
  if (kind !== 'lm') return { ...config, task: 'classifier' } as unknown as TrainConfig;
  const { schedule, warmupSteps, earlyStoppingPatience, ...rest } = config;
  const upgraded: Loose = { ...rest, task: 'lm' };
  if (typeof schedule === 'string') {
    upgraded.schedule = (schedule === 'constant' ? { kind: 'constant' } : { kind: schedule, warmupSteps: Number(warmupSteps ?? 0) }) as LrSchedule;
  } else if (schedule !== undefined) {
    upgraded.schedule = schedule;
  }
  if (typeof earlyStoppingPatience === 'number') upgraded.earlyStopping = { patience: earlyStoppingPatience };
  return upgraded as unknown as TrainConfig;
}

function upgradePlan(plan: Record<string, { kind: string }>): TrainPlan {
  return Object.fromEntries(Object.entries(plan).map(([name, mode]) => [name, (mode.kind === 'train' ? { ...mode, kind: 'full' } : mode) as ModuleMode]));
}

/** The checkpoint in today's shapes (a new object; the input is left as it was). */
export function upgradeCheckpoint(checkpoint: Checkpoint): Checkpoint {
  const meta = checkpoint.meta as Checkpoint['meta'] | undefined;
  if (!meta || typeof meta !== 'object' || !meta.config) return checkpoint;
  const state = checkpoint.state as Checkpoint['state'] | undefined;
  return {
    ...checkpoint,
    ...(state && !state.history ? { state: { ...state, history: emptyHistory(state.step) } } : {}),
    meta: {
      ...meta,
      version: 2,
      config: upgradeConfig(meta.config as unknown as Loose, meta.kind),
      plan: upgradePlan((meta.plan ?? {}) as Record<string, { kind: string }>),
    },
  };
}
