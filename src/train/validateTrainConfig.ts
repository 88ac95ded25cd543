/**
 * One check of a run's settings at the session's boundary, for every task: each field against its
 * range, with a sentence that names the field (EngineError 'bad-config'), before any work starts.
 */
import { PREFERENCE_LOSSES, type LmTrainConfig, type TrainConfig } from '../api.ts';
import { EngineError, showValue } from '../errors.ts';

type Check = [field: string, value: unknown, ok: boolean, expected: string];

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const whole = (x: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean => Number.isInteger(x) && (x as number) >= min && (x as number) <= max;
const show = (x: unknown): string => (x === undefined ? 'missing' : typeof x === 'number' ? String(x) : showValue(x));
const between = (x: unknown, min: number, max: number): boolean => isNumber(x) && x >= min && x <= max;

function commonChecks(config: TrainConfig): Check[] {
  const checks: Check[] = [
    ['learningRate', config.learningRate, isNumber(config.learningRate) && config.learningRate > 0 && config.learningRate <= 10, 'a number above 0, at most 10 (typical: 0.0001 to 0.01)'],
    ['batchSize', config.batchSize, whole(config.batchSize, 1, 4096), 'a whole number from 1 to 4096'],
    ['weightDecay', config.weightDecay, between(config.weightDecay, 0, 1), 'a number from 0 to 1 (typical: 0.01)'],
    ['seed', config.seed, whole(config.seed, Number.MIN_SAFE_INTEGER), 'a whole number'],
  ];
  const s = config.schedule as unknown;
  if (s !== undefined) {
    const kind = (s as { kind?: unknown } | null)?.kind;
    checks.push(['schedule.kind', kind, kind === 'constant' || kind === 'cosine' || kind === 'linear', '"constant", "cosine" or "linear"']);
    if (kind === 'cosine' || kind === 'linear') {
      const { warmupSteps, minLrRatio } = s as { warmupSteps?: unknown; minLrRatio?: unknown };
      checks.push(['schedule.warmupSteps', warmupSteps, whole(warmupSteps, 0), 'a whole number of steps, 0 or more']);
      if (minLrRatio !== undefined) checks.push(['schedule.minLrRatio', minLrRatio, between(minLrRatio, 0, 1), 'a number from 0 to 1']);
    }
  }
  if (config.clipNorm !== undefined) checks.push(['clipNorm', config.clipNorm, isNumber(config.clipNorm) && config.clipNorm >= 0, 'a number, 0 or more (0: no clipping)']);
  const es = config.earlyStopping as unknown;
  if (es !== undefined) {
    const { patience, minDelta } = (es ?? {}) as { patience?: unknown; minDelta?: unknown };
    checks.push(['earlyStopping.patience', patience, whole(patience, 0), 'a whole number of evaluations, 0 or more (0: never stop early)']);
    if (minDelta !== undefined) checks.push(['earlyStopping.minDelta', minDelta, isNumber(minDelta) && minDelta >= 0, 'a number, 0 or more']);
  }
  const cp = config.checkpoint as unknown;
  if (cp !== undefined) {
    const { everySteps, everySeconds } = (cp ?? {}) as { everySteps?: unknown; everySeconds?: unknown };
    checks.push(['checkpoint.everySteps', everySteps, whole(everySteps, 0), 'a whole number of steps, 0 or more (0: not by steps)']);
    checks.push(['checkpoint.everySeconds', everySeconds, isNumber(everySeconds) && everySeconds >= 0, 'a number of seconds, 0 or more (0: not by time)']);
  }
  return checks;
}

function taskChecks(config: TrainConfig): Check[] {
  if (config.task === 'classifier') return [['epochs', config.epochs, whole(config.epochs, 1, 10000), 'a whole number from 1 to 10000']];
  const prompts = config.samplePrompts as unknown;
  return [
    ...preferenceChecks(config.preference),
    ['steps', config.steps, whole(config.steps, 1, 1e6), 'a whole number from 1 to 1000000'],
    ['gradAccumulation', config.gradAccumulation, whole(config.gradAccumulation, 1, 1024), 'a whole number from 1 to 1024'],
    ['evalEvery', config.evalEvery, whole(config.evalEvery, 0), 'a whole number of steps, 0 or more (0: only at the end)'],
    ['samplePrompts', prompts, Array.isArray(prompts) && prompts.every((p) => typeof p === 'string'), 'a list of prompts (strings), possibly empty'],
  ];
}

function preferenceChecks(p: LmTrainConfig['preference']): Check[] {
  if (p === undefined) return [];
  const loss = p.loss as unknown;
  const checks: Check[] = [
    ['preference.loss', loss, (PREFERENCE_LOSSES as readonly unknown[]).includes(loss), PREFERENCE_LOSSES.map((l) => `"${l}"`).join(', ')],
    ['preference.beta', p.beta, isNumber(p.beta) && p.beta > 0, "a number above 0 (TRL's default: 0.1)"],
    ['preference.labelSmoothing', p.labelSmoothing, isNumber(p.labelSmoothing) && p.labelSmoothing >= 0 && p.labelSmoothing < 0.5, 'a number from 0 up to (not including) 0.5'],
    ['preference.gamma', p.gamma, isNumber(p.gamma), "a number (SimPO's target margin; default 0.5)"],
    ['preference.precomputeRef', p.precomputeRef, typeof p.precomputeRef === 'boolean', 'true or false'],
  ];
  return checks;
}

/** Rejects settings that cannot train, naming the field and its range, before any work starts. */
export function validateTrainConfig(config: TrainConfig): void {
  const task = (config as { task?: unknown }).task;
  if (task !== 'classifier' && task !== 'lm') throw new EngineError('bad-config', `task is ${show(task)}; it must be "classifier" or "lm".`);
  for (const [field, value, ok, expected] of [...commonChecks(config), ...taskChecks(config)]) {
    if (!ok) throw new EngineError('bad-config', `${field} is ${show(value)}; it must be ${expected}.`);
  }
}
