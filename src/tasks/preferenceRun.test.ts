/**
 * Preference tuning through the whole engine in Node (WASM): the tiny Llama written by
 * transformers, pairs teaching one answer style, DPO from a fresh adapter (the loss starts at log 2,
 * rewards at 0, and the rewards and their accuracy rise), the same run with the reference
 * precomputed, and DPO that starts from an adapter (its frozen copy is the reference).
 */
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LM_TRAIN_CONFIG, DEFAULT_PREFERENCE_DATASET_OPTIONS, DEFAULT_PREFERENCE_SETTINGS, type EngineEvent, type LmTrainConfig, type StepPoint, type TrainPlan } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { Session } from '../session/session.ts';
import { piratePairsJsonl } from '../testing/piratePairs.ts';
import { readFolder } from '../testing/readFolder.ts';
import { tf } from '../tf.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/hf-tiny/', import.meta.url));

const config = (extra: Partial<LmTrainConfig> = {}): LmTrainConfig => ({
  ...DEFAULT_LM_TRAIN_CONFIG,
  learningRate: 0.01,
  batchSize: 4,
  steps: 8,
  evalEvery: 4,
  schedule: { kind: 'constant' },
  preference: { ...DEFAULT_PREFERENCE_SETTINGS },
  ...extra,
});

describe('preference runs (WASM)', () => {
  let events: EngineEvent[];
  let engine: Session;
  let plan: TrainPlan;
  beforeEach(async () => {
    events = [];
    engine = new Session({ decodeImage: decodeImagePng }, (e) => events.push(e));
    await engine.setBackend('wasm');
    const summary = await engine.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}tiny-llama/base`) });
    plan = Object.fromEntries(summary.modules.filter((m) => summary.defaultTargets.includes(m.name)).map((m) => [m.path, { kind: 'lora' as const, r: 4, alpha: 8 }]));
    await engine.lmSetPlan(plan, 4, 32);
  });
  afterEach(() => engine.dispose());

  const steps = () => events.flatMap((e) => (e.type === 'step' ? [e.point] : []));

  it('reads the pairs, lists bad lines by number, and splits them', async () => {
    const summary = await engine.lmImportPreferences('pairs.jsonl', new Blob([piratePairsJsonl()]), { ...DEFAULT_PREFERENCE_DATASET_OPTIONS, maxLength: 32, validationFraction: 0.2 });
    expect(summary.format).toBe('preference');
    expect(summary.pairs).toBe(20);
    expect([summary.train, summary.validation]).toEqual([16, 4]);
    expect(summary.issues.map((i) => i.line)).toEqual([4, 5]);
    expect(summary.issues[0]!.message).toMatch(/^Line 4: chosen and rejected are the same/);
    expect(summary.issues[1]!.message).toMatch(/^Line 5: "rejected" is missing/);
    expect(summary.preview[0]).toEqual({ line: 1, prompt: 'name a cat:', chosen: ' arr cat arr', rejected: ' the cat' });
  });

  it('trains DPO: the loss starts at log 2, rewards and their accuracy rise; TRL metric names live and on validation', async () => {
    await engine.lmImportPreferences('pairs.jsonl', new Blob([piratePairsJsonl()]), { ...DEFAULT_PREFERENCE_DATASET_OPTIONS, maxLength: 32, validationFraction: 0.2 });
    const before = tf.memory().numTensors;
    const result = await engine.train(config());
    const points = steps();
    expect(points).toHaveLength(8);
    expect(Math.abs(points[0]!.loss - Math.LN2)).toBeLessThan(1e-5);
    expect(Math.abs(points[0]!.metrics!['rewards/chosen']!)).toBeLessThan(1e-5);
    expect(Object.keys(points[0]!.metrics!).sort()).toEqual(['logps/chosen', 'logps/rejected', 'rewards/accuracies', 'rewards/chosen', 'rewards/margins', 'rewards/rejected']);
    const last: StepPoint = points.at(-1)!;
    expect(last.loss).toBeLessThan(points[0]!.loss);
    expect(last.metrics!['rewards/margins']).toBeGreaterThan(0);
    expect(last.metrics!['rewards/accuracies']).toBeGreaterThan(0.5);
    // Validation pairs: the trained adapter prefers the chosen answers.
    expect(result.preference!.validation!['rewards/accuracies']).toBe(1);
    expect(result.preference!.validation!.loss).toBeLessThan(Math.LN2);
    expect(Math.abs(result.baseValidationLoss - Math.LN2)).toBeLessThan(1e-6);
    expect(result.evals.at(-1)!.metrics!['rewards/margins']).toBeGreaterThan(0);
    // What the run keeps: the adapter (A and B of 4 projections); nothing else.
    expect(tf.memory().numTensors - before).toBe(8);
    // Scoring with the trained adapter against the base: the same validation numbers.
    const scored = await engine.lmEvalPreferences({ rows: 'validation' });
    expect(Math.abs(scored.summary.loss - result.preference!.validation!.loss)).toBeLessThan(1e-5);
    expect(scored.pairs[0]!.policy_chosen_logps).toBeGreaterThan(scored.pairs[0]!.ref_chosen_logps);
  });

  it('gives the same steps with the reference precomputed', async () => {
    await engine.lmImportPreferences('pairs.jsonl', new Blob([piratePairsJsonl()]), { ...DEFAULT_PREFERENCE_DATASET_OPTIONS, maxLength: 32, validationFraction: 0.2 });
    await engine.train(config({ steps: 3 }));
    const plain = steps().map((p) => p.loss);
    events.length = 0;
    await engine.train(config({ steps: 3, preference: { ...DEFAULT_PREFERENCE_SETTINGS, precomputeRef: true } }));
    steps().forEach((p, i) => expect(Math.abs(p.loss - plain[i]!)).toBeLessThan(1e-5));
  });

  it('gives the same steps with gradient checkpointing on, and its plan says so', async () => {
    await engine.lmImportPreferences('pairs.jsonl', new Blob([piratePairsJsonl()]), { ...DEFAULT_PREFERENCE_DATASET_OPTIONS, maxLength: 32, validationFraction: 0.2 });
    await engine.train(config({ steps: 3 }));
    const plain = steps().map((p) => p.loss);
    events.length = 0;
    const summary = await engine.lmSetPlan(plan, 4, 32, true, true);
    expect(summary.gradientCheckpointing).toBe(true);
    // A preference batch of 4 pairs holds 8 sequences: more than the supervised estimate at batch 4.
    expect(summary.memoryBytes).toBeGreaterThan((await engine.lmSetPlan(plan, 4, 32, true)).memoryBytes);
    await engine.train(config({ steps: 3, gradientCheckpointing: true }));
    expect(steps()).toHaveLength(3);
    steps().forEach((p, i) => expect(Math.abs(p.loss - plain[i]!)).toBeLessThan(1e-5));
  });

  it('starting from an adapter, uses it as the reference: the loss starts at log 2 again', async () => {
    await engine.lmImportAdapter(readFolder(`${FIXTURES}tiny-llama/adapter`));
    await engine.lmImportPreferences('pairs.jsonl', new Blob([piratePairsJsonl()]), { ...DEFAULT_PREFERENCE_DATASET_OPTIONS, maxLength: 32, validationFraction: 0.2 });
    const result = await engine.train(config({ steps: 2, continueFromLastRun: true }));
    expect(Math.abs(steps()[0]!.loss - Math.LN2)).toBeLessThan(1e-5);
    expect(result.steps).toBe(2);
  });

  it('keeps the pairs and the trained adapter (not stale) across a backend switch', async () => {
    await engine.lmImportPreferences('pairs.jsonl', new Blob([piratePairsJsonl()]), { ...DEFAULT_PREFERENCE_DATASET_OPTIONS, maxLength: 32, validationFraction: 0.2 });
    await engine.train(config({ steps: 2 }));
    const before = await engine.lmEvalPreferences({ rows: 'validation' });
    await engine.setBackend('cpu');
    const after = await engine.lmEvalPreferences({ rows: 'validation' });
    expect(Math.abs(after.summary.loss - before.summary.loss)).toBeLessThan(1e-5);
    const runInfo = events.filter((e) => e.type === 'trainedRun').at(-1);
    expect(runInfo).toMatchObject({ info: { task: 'lm', present: true, stale: false } });
  });

  it('refuses bad settings with the field named', async () => {
    await engine.lmImportPreferences('pairs.jsonl', new Blob([piratePairsJsonl()]), { ...DEFAULT_PREFERENCE_DATASET_OPTIONS, maxLength: 32 });
    await expect(engine.train(config({ preference: { ...DEFAULT_PREFERENCE_SETTINGS, beta: 0 } }))).rejects.toThrow(/preference\.beta is 0/);
    await expect(engine.train(config({ preference: { ...DEFAULT_PREFERENCE_SETTINGS, loss: 'kto' as 'ipo' } }))).rejects.toThrow(/preference\.loss/);
  });
});
