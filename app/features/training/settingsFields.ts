import type { TaskKind, TrainConfig } from '../../../src/index.ts';

/** The plain number settings of a run's config (shared ones, and each task's own). */
export type NumberSetting = 'learningRate' | 'batchSize' | 'epochs' | 'steps' | 'gradAccumulation' | 'evalEvery' | 'weightDecay' | 'seed';
/** Every input of the settings form that can hold unreadable text (Train waits until none does). */
export type SettingInput = NumberSetting | 'warmupSteps' | 'clipNorm' | 'patience' | 'checkpoint';

export interface NumberFieldSpec {
  key: NumberSetting;
  label: string;
  min: number;
  max: number;
  integer?: boolean;
  hint?: string;
}

const LR: NumberFieldSpec = { key: 'learningRate', label: 'Learning rate', min: 1e-7, max: 1, hint: 'AdamW step size' };
const DECAY: NumberFieldSpec = { key: 'weightDecay', label: 'Weight decay', min: 0, max: 1, hint: 'Decoupled (AdamW)' };
const SEED: NumberFieldSpec = { key: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, integer: true, hint: 'Same seed, same run' };

/** The number fields of each task's settings, in the order shown. */
export const NUMBER_FIELDS: Record<TaskKind, readonly NumberFieldSpec[]> = {
  classifier: [
    LR,
    { key: 'batchSize', label: 'Batch size', min: 1, max: 1024, integer: true, hint: 'Rows or images per step' },
    { key: 'epochs', label: 'Epochs', min: 1, max: 10000, integer: true, hint: 'Passes over the training split' },
    DECAY,
    SEED,
  ],
  lm: [
    LR,
    { key: 'batchSize', label: 'Batch size', min: 1, max: 256, integer: true, hint: 'Rows per micro-batch' },
    { key: 'gradAccumulation', label: 'Grad. accumulation', min: 1, max: 256, integer: true, hint: 'Micro-batches per step' },
    { key: 'steps', label: 'Steps', min: 1, max: 100_000, integer: true, hint: 'Optimizer steps' },
    DECAY,
    { key: 'evalEvery', label: 'Evaluate every', min: 0, max: 100_000, integer: true, hint: 'Steps; 0 = at the end only' },
    SEED,
  ],
};

/** What a task's settings say in words. */
export const TASK_WORDS: Record<TaskKind, { patienceUnit: string; continueLabel: string; continueHint: string }> = {
  classifier: { patienceUnit: 'epochs', continueLabel: 'Continue from the last run', continueHint: 'Start from its head and adapters (same plan and classes)' },
  lm: { patienceUnit: 'evaluations', continueLabel: 'Continue from the current adapter', continueHint: 'Start from the trained or imported adapter (same plan)' },
};

/** A number setting of a config (absent task fields read as 0; the form only shows the task's own). */
export function numberSetting(config: TrainConfig, key: NumberSetting): number {
  const value = (config as unknown as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : 0;
}

/** Sample prompts from the textarea: one per line, blank lines dropped. */
export function parsePrompts(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
