/**
 * Checkpoints written by the two loops this one replaced (train/loop.ts runTraining and
 * lm/runLmTraining.ts, commit cf11218), kept as bytes in testdata/old-loop: each resumes with the
 * losses and evaluations the old uninterrupted run had (epochs-full.json, lm-full.json).
 *  - epochs-stopped10: stopped after step 10, the end of epoch 2 (its evaluation pending);
 *  - epochs-periodic5 / -periodic15: periodic, saved by the old loop before the epoch's evaluation;
 *  - lm-stopped8: stopped with pendingEval; lm-periodic6: periodic, mid-way between evaluations.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifierTrainConfig, EvalPoint, LmTrainConfig } from '../api.ts';
import { createRng } from '../data/rng.ts';
import { lmLoopSpec } from '../lm/lmLoopSpec.ts';
import { loadTinyGpt2, tinyLmTask } from '../lm/lmTestTask.ts';
import type { HfCausalLm } from '../models/hf/hfTypes.ts';
import { disposeHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { tf, type Tensor1D, type Tensor2D } from '../tf.ts';
import { deserializeCheckpoint } from './checkpoint.ts';
import { createHead, disposeHead } from './head.ts';
import { headTask } from './headTask.ts';
import { runTrainLoop } from './trainLoop.ts';

const read = (file: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./testdata/old-loop/${file}`, import.meta.url)));
const expected = (file: string) => JSON.parse(new TextDecoder().decode(read(file))) as { losses: number[]; evals: (EvalPoint | number)[] };
const expectClose = (got: number[], want: number[]): void => {
  expect(got).toHaveLength(want.length);
  got.forEach((x, i) => expect(Math.abs(x - want[i]!), `at ${i}: ${x} vs ${want[i]}`).toBeLessThan(1e-5));
};
const noHooks = { onEval: () => {}, shouldStop: () => false };

let lm: HfCausalLm;
beforeAll(async () => {
  await tf.setBackend('cpu');
  lm = await loadTinyGpt2();
});
afterAll(() => {
  disposeHfCausalLm(lm);
  tf.disposeVariables();
});

/** The old test's head task: 37 random rows of 6 features, 3 classes, validated on the same rows. */
function oldHeadData() {
  const rng = createRng(3);
  const x = tf.tensor2d(Float32Array.from({ length: 37 * 6 }, () => rng() * 2 - 1), [37, 6]) as Tensor2D;
  const y = tf.tensor1d(Int32Array.from({ length: 37 }, (_, i) => i % 3), 'int32') as Tensor1D;
  return { trainX: x, trainY: y, valX: x, valY: y, numClasses: 3, classes: ['a', 'b', 'c'] };
}

describe('checkpoints of the old loops', () => {
  it.each([
    ['epochs-stopped10.ttck', 10],
    ['epochs-periodic5.ttck', 5],
    ['epochs-periodic15.ttck', 15],
  ] as const)('%s resumes as the old run went on', async (file, from) => {
    const cp = deserializeCheckpoint(read(file));
    expect(cp.meta.plan).toEqual({ dense: { kind: 'full' } });
    const config = cp.meta.config as ClassifierTrainConfig;
    expect(config.task).toBe('classifier');
    const full = expected('epochs-full.json');
    const data = oldHeadData();
    const head = createHead(6, 3, createRng(42));
    const losses: number[] = [];
    const out = await runTrainLoop(headTask(head, data, config.epochs), config, { ...noHooks, onStep: (p) => losses.push(p.loss), resumeState: cp.state });
    expect(losses).toEqual(full.losses.slice(from));
    const old = full.evals as EvalPoint[];
    expect(out.evals.map(({ epoch, step, trainLoss, validationLoss, validationAccuracy }) => ({ epoch, step, trainLoss, validationLoss, validationAccuracy }))).toEqual(old);
    disposeHead(head);
    tf.dispose([data.trainX, data.trainY]);
  });

  it.each([
    ['lm-stopped8.ttck', 8],
    ['lm-periodic6.ttck', 6],
  ] as const)('%s resumes as the old run went on', async (file, from) => {
    const cp = deserializeCheckpoint(read(file));
    const config = cp.meta.config as LmTrainConfig;
    expect(config).toMatchObject({ task: 'lm', schedule: { kind: 'cosine', warmupSteps: 2 }, earlyStopping: { patience: 0 } });
    const full = expected('lm-full.json');
    const { task, dispose } = tinyLmTask(lm);
    const losses: number[] = [];
    const out = await runTrainLoop(lmLoopSpec(task, config), config, { ...noHooks, onStep: (p) => losses.push(p.loss), resumeState: cp.state });
    // The loss is now the chunked cross-entropy from the hidden states (lm/chunkedCrossEntropy.ts),
    // the same formula summed in another order: float32 rounding apart, the old run's numbers.
    expectClose(losses, full.losses.slice(from));
    expectClose(out.evals.map((e) => e.validationLoss), full.evals as number[]);
    dispose();
  });
});
