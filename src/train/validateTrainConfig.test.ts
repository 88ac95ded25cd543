import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFIER_TRAIN_CONFIG, DEFAULT_LM_TRAIN_CONFIG, DEFAULT_PREFERENCE_SETTINGS, type TrainConfig } from '../api.ts';
import { thrownBy } from '../testing/errorOf.ts';
import { validateTrainConfig } from './validateTrainConfig.ts';

const classifier = (extra: Record<string, unknown>) => ({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, ...extra }) as TrainConfig;
const lm = (extra: Record<string, unknown>) => ({ ...DEFAULT_LM_TRAIN_CONFIG, ...extra }) as TrainConfig;

/** The sentence for a bad config: code bad-config, naming the field. */
function messageFor(config: TrainConfig): string {
  const e = thrownBy(() => validateTrainConfig(config));
  expect(e.code).toBe('bad-config');
  return e.message;
}

describe('validateTrainConfig', () => {
  it('checks a preference objective field by field', () => {
    const pref = (extra: Record<string, unknown>) => lm({ preference: { ...DEFAULT_PREFERENCE_SETTINGS, ...extra } });
    expect(() => validateTrainConfig(pref({}))).not.toThrow();
    expect(() => validateTrainConfig(pref({ loss: 'orpo', beta: 0.25, labelSmoothing: 0.1 }))).not.toThrow();
    expect(messageFor(pref({ loss: 'kto' }))).toBe('preference.loss is "kto"; it must be "sigmoid", "ipo", "hinge", "robust", "simpo", "orpo".');
    expect(messageFor(pref({ beta: -1 }))).toMatch(/^preference\.beta is -1; it must be a number above 0/);
    expect(messageFor(pref({ labelSmoothing: 0.5 }))).toMatch(/^preference\.labelSmoothing is 0\.5/);
    expect(messageFor(pref({ precomputeRef: 'yes' }))).toMatch(/^preference\.precomputeRef is "yes"; it must be true or false/);
  });

  it('accepts the defaults and full settings of both tasks', () => {
    expect(() => validateTrainConfig(DEFAULT_CLASSIFIER_TRAIN_CONFIG)).not.toThrow();
    expect(() => validateTrainConfig(DEFAULT_LM_TRAIN_CONFIG)).not.toThrow();
    const full = { schedule: { kind: 'linear', warmupSteps: 0, minLrRatio: 0.1 }, clipNorm: 0, earlyStopping: { patience: 2, minDelta: 0.01 }, checkpoint: { everySteps: 0, everySeconds: 30 } };
    expect(() => validateTrainConfig(classifier(full))).not.toThrow();
    expect(() => validateTrainConfig(lm({ ...full, evalEvery: 0, samplePrompts: ['a', 'b'] }))).not.toThrow();
  });

  it('refuses an unknown task', () => {
    expect(messageFor(classifier({ task: 'regression' }))).toBe('task is "regression"; it must be "classifier" or "lm".');
    expect(messageFor(classifier({ task: undefined }))).toMatch(/^task is missing/);
  });

  it.each([
    ['learningRate', 0, /^learningRate is 0; it must be a number above 0/],
    ['learningRate', Number.NaN, /^learningRate is NaN/],
    ['learningRate', 11, /^learningRate is 11/],
    ['batchSize', 0, /^batchSize is 0; it must be a whole number from 1 to 4096/],
    ['batchSize', 2.5, /^batchSize is 2.5/],
    ['weightDecay', -0.1, /^weightDecay is -0.1; it must be a number from 0 to 1/],
    ['seed', 1.5, /^seed is 1.5; it must be a whole number/],
    ['schedule', { kind: 'step' }, /^schedule.kind is "step"; it must be "constant", "cosine" or "linear"/],
    ['schedule', { kind: 'cosine', warmupSteps: -1 }, /^schedule.warmupSteps is -1; it must be a whole number of steps, 0 or more/],
    ['schedule', { kind: 'cosine' }, /^schedule.warmupSteps is missing/],
    ['schedule', { kind: 'linear', warmupSteps: 2, minLrRatio: 1.5 }, /^schedule.minLrRatio is 1.5; it must be a number from 0 to 1/],
    ['clipNorm', -1, /^clipNorm is -1; it must be a number, 0 or more/],
    ['earlyStopping', { patience: 1.5 }, /^earlyStopping.patience is 1.5; it must be a whole number of evaluations/],
    ['earlyStopping', { patience: 2, minDelta: -0.1 }, /^earlyStopping.minDelta is -0.1; it must be a number, 0 or more/],
    ['checkpoint', { everySteps: -1, everySeconds: 0 }, /^checkpoint.everySteps is -1; it must be a whole number of steps, 0 or more/],
    ['checkpoint', { everySteps: 10, everySeconds: -5 }, /^checkpoint.everySeconds is -5; it must be a number of seconds, 0 or more/],
  ])('checks %s (%j) for both tasks', (field, value, message) => {
    expect(messageFor(classifier({ [field]: value }))).toMatch(message);
    expect(messageFor(lm({ [field]: value }))).toMatch(message);
  });

  it.each([
    ['epochs', 0, /^epochs is 0; it must be a whole number from 1 to 10000/],
    ['epochs', 10001, /^epochs is 10001/],
    ['epochs', undefined, /^epochs is missing/],
  ])('checks the classifier field %s (%j)', (field, value, message) => {
    expect(messageFor(classifier({ [field]: value }))).toMatch(message);
  });

  it.each([
    ['steps', 0, /^steps is 0; it must be a whole number from 1 to 1000000/],
    ['steps', 1e6 + 1, /^steps is 1000001/],
    ['gradAccumulation', 0, /^gradAccumulation is 0; it must be a whole number from 1 to 1024/],
    ['gradAccumulation', 1025, /^gradAccumulation is 1025/],
    ['gradAccumulation', 1.5, /^gradAccumulation is 1.5/],
    ['evalEvery', -1, /^evalEvery is -1; it must be a whole number of steps, 0 or more/],
    ['evalEvery', 2.5, /^evalEvery is 2.5/],
    ['samplePrompts', 'hello', /^samplePrompts is "hello"; it must be a list of prompts \(strings\)/],
    ['samplePrompts', ['a', 3], /^samplePrompts is \["a",3\]/],
  ])('checks the language-model field %s (%j)', (field, value, message) => {
    expect(messageFor(lm({ [field]: value }))).toMatch(message);
  });
});
