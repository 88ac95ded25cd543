import type { TrainConfig } from '../api.ts';
import { EngineError } from '../errors.ts';

/** Rejects settings that cannot train, with the field and a sensible range, before any work starts. */
export function validateTrainConfig(config: TrainConfig): void {
  const checks: [keyof TrainConfig, boolean, string][] = [
    ['learningRate', config.learningRate > 0 && config.learningRate <= 10, 'a number above 0 (typical: 0.0001 to 0.01)'],
    ['batchSize', Number.isInteger(config.batchSize) && config.batchSize >= 1 && config.batchSize <= 4096, 'a whole number from 1 to 4096'],
    ['epochs', Number.isInteger(config.epochs) && config.epochs >= 1 && config.epochs <= 10000, 'a whole number from 1 to 10000'],
    ['weightDecay', config.weightDecay >= 0 && config.weightDecay <= 1, 'a number from 0 to 1 (typical: 0.01)'],
    ['seed', Number.isInteger(config.seed), 'a whole number'],
  ];
  for (const [field, ok, expected] of checks) {
    if (!ok) throw new EngineError('bad-config', `${field} is ${String(config[field])}; it must be ${expected}.`);
  }
}
