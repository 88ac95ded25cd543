import type { TaskKind } from '../../../src/index.ts';

/** The run area's parts that tests find by id; the same component names them by task (the e2e specs' ids). */
export interface RunTestIds {
  train: string;
  stop: string;
  pause: string;
  resume: string;
  state: string;
  log: string;
  progress: string;
  eta: string;
  speed: string;
  chart: string;
  evalRow: string;
  settings: Record<SettingKey, string>;
  checkpointPrefix: string;
}

export type SettingKey =
  | 'learningRate'
  | 'batchSize'
  | 'epochs'
  | 'steps'
  | 'gradAccumulation'
  | 'evalEvery'
  | 'weightDecay'
  | 'seed'
  | 'schedule'
  | 'warmupSteps'
  | 'clipNorm'
  | 'patience'
  | 'continue'
  | 'samplePrompts';

export const RUN_TEST_IDS: Record<TaskKind, RunTestIds> = {
  classifier: {
    train: 'train-button',
    stop: 'stop-button',
    pause: 'pause-button',
    resume: 'resume-button',
    state: 'run-state',
    log: 'run-log',
    progress: 'progress-bar',
    eta: 'eta',
    speed: 'run-speed',
    chart: 'loss-chart',
    evalRow: 'epoch-row',
    checkpointPrefix: 'train',
    settings: {
      learningRate: 'lr-input',
      batchSize: 'batch-input',
      epochs: 'epochs-input',
      steps: 'steps-input',
      gradAccumulation: 'grad-accum-input',
      evalEvery: 'eval-every-input',
      weightDecay: 'weight-decay-input',
      seed: 'train-seed-input',
      schedule: 'schedule-select',
      warmupSteps: 'warmup-input',
      clipNorm: 'clip-input',
      patience: 'patience-input',
      continue: 'continue-checkbox',
      samplePrompts: 'sample-prompts',
    },
  },
  lm: {
    train: 'lm-train',
    stop: 'lm-stop',
    pause: 'lm-pause',
    resume: 'lm-resume',
    state: 'lm-run-state',
    log: 'lm-run-log',
    progress: 'lm-progress',
    eta: 'lm-eta',
    speed: 'lm-tokens-per-second',
    chart: 'lm-loss-chart',
    evalRow: 'lm-eval-row',
    checkpointPrefix: 'lm',
    settings: {
      learningRate: 'lm-lr',
      batchSize: 'lm-batch',
      epochs: 'lm-epochs',
      steps: 'lm-steps',
      gradAccumulation: 'lm-grad-accum',
      evalEvery: 'lm-eval-every',
      weightDecay: 'lm-weight-decay',
      seed: 'lm-seed',
      schedule: 'lm-schedule',
      warmupSteps: 'lm-warmup',
      clipNorm: 'lm-clip',
      patience: 'lm-patience',
      continue: 'lm-continue',
      samplePrompts: 'lm-sample-prompts',
    },
  },
};
