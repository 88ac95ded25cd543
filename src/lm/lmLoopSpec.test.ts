/**
 * A language model through the one training loop: the tiny GPT-2 written by transformers, fresh
 * LoRA on c_attn (dropout on, seeded per step), gradient accumulation, evaluations every N steps
 * with samples, early stopping, stop and resume, a NaN rolled back, pause, and no tensor growth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalPoint, LmTrainConfig } from '../api.ts';
import type { HfCausalLm } from '../models/hf/hfTypes.ts';
import { disposeHfCausalLm } from '../models/hf/loadHfCausalLm.ts';
import { expectFlatTensorCounts } from '../testing/expectFlatTensorCounts.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { tf, type Scalar } from '../tf.ts';
import type { LoopState } from '../train/checkpoint.ts';
import { PauseGate } from '../train/pauseGate.ts';
import { runTrainLoop, type TrainLoopHooks, type TrainLoopSpec } from '../train/trainLoop.ts';
import { lmLoopSpec, type LmTask } from './lmLoopSpec.ts';
import { loadTinyGpt2, tinyLmConfig, tinyLmTask } from './lmTestTask.ts';

let lm: HfCausalLm;
beforeAll(async () => {
  await tf.setBackend('cpu');
  lm = await loadTinyGpt2(); // the frozen base, read-only in every test
});
afterAll(() => {
  disposeHfCausalLm(lm);
  tf.disposeVariables();
});

/** Samples that tell the weights they saw: the sum of |B| of the first adapter (0 before training). */
const samplesOf = (task: LmTask) => async () => {
  const b = [...task.lora.values()][0]!.B;
  const sum = tf.tidy(() => tf.sum(tf.abs(b)));
  const text = ((await sum.data())[0] ?? 0).toFixed(6);
  sum.dispose();
  return [{ prompt: 'B', text }];
};

interface Run {
  losses: number[];
  evals: EvalPoint[];
  out: Awaited<ReturnType<typeof runTrainLoop<null>>>;
  stopped: LoopState | null;
}

async function run(config: LmTrainConfig, extra: Partial<TrainLoopHooks> = {}, wrap: (spec: TrainLoopSpec<null>) => TrainLoopSpec<null> = (s) => s): Promise<Run> {
  const { task, dispose } = tinyLmTask(lm);
  const losses: number[] = [];
  const evals: EvalPoint[] = [];
  let stopped: LoopState | null = null;
  try {
    const out = await runTrainLoop(wrap(lmLoopSpec(task, config, samplesOf(task))), config, {
      shouldStop: () => false,
      onCheckpoint: async (s, final) => void (final === 'stopped' && (stopped = s)),
      ...extra,
      onStep: (p, total, ms) => (losses.push(p.loss), extra.onStep?.(p, total, ms)),
      onEval: (p) => evals.push(p),
    });
    return { losses, evals, out, stopped };
  } finally {
    dispose();
  }
}

describe('lmLoopSpec in runTrainLoop (tiny GPT-2, LoRA)', () => {
  it('lowers the loss, evaluates every evalEvery steps and at the end, with samples and tokens per second', async () => {
    const tps: number[] = [];
    const rates: number[] = [];
    const r = await run(tinyLmConfig({ steps: 10 }), { onStep: (p) => (tps.push(p.tokensPerSecond!), rates.push(p.learningRate)) });
    expect(r.out.state).toBe('done');
    expect(r.losses).toHaveLength(10);
    expect(r.evals.map((e) => e.step)).toEqual([4, 8, 10]);
    expect(r.out.evals).toEqual(r.evals);
    expect(r.evals.at(-1)!.validationLoss).toBeLessThan(r.evals[0]!.validationLoss);
    expect(Math.max(...r.losses.slice(-3))).toBeLessThan(r.losses[0]!);
    // Samples are taken with the weights of their step: B moves away from zero as training goes on.
    const bSums = r.evals.map((e) => Number(e.samples![0]!.text));
    expect(bSums[0]).toBeGreaterThan(0);
    expect(bSums[2]).toBeGreaterThan(bSums[0]!);
    expect(tps.every((t) => t > 0)).toBe(true);
    expect(rates[0]).toBe(0); // cosine warm-up starts at 0
  });

  it('stops early when the validation loss stops improving', async () => {
    const logs: string[] = [];
    const r = await run(tinyLmConfig({ steps: 12, evalEvery: 2, earlyStopping: { patience: 1, minDelta: 100 } }), { onLog: (m) => logs.push(m) });
    expect(r.out).toMatchObject({ state: 'done', stoppedEarly: true, steps: 4 });
    expect(r.evals.map((e) => e.step)).toEqual([2, 4]);
    expect(logs).toEqual([expect.stringMatching(/^Stopped early at step 4: the validation loss has not improved for 1 evaluations/)]);
  });

  it('resumes a stopped run with exactly the losses, evaluations and samples of the uninterrupted one', async () => {
    const config = tinyLmConfig({ steps: 10 });
    const full = await run(config);
    for (const stopAt of [5, 8]) {
      let n = 0;
      const first = await run(config, { shouldStop: () => ++n >= stopAt });
      expect(first.out.state).toBe('stopped');
      expect(first.stopped!.position).toMatchObject({ kind: 'lm', pendingEval: stopAt === 8 });
      // The stopped run is evaluated too (after its checkpoint): the caller has its metrics.
      expect(first.evals.at(-1)!.step).toBe(stopAt);
      const rest = await run(config, { resumeState: first.stopped! });
      expect([...first.losses, ...rest.losses]).toEqual(full.losses);
      expect(rest.out.evals).toEqual(full.out.evals);
      expect(rest.out.finalLoss).toBe(full.out.finalLoss);
    }
  });

  it('rolls a NaN loss back to the last good checkpoint before applying it', async () => {
    let micro = 0;
    const states: LoopState[] = [];
    const poison = (spec: TrainLoopSpec<null>): TrainLoopSpec<null> => ({
      ...spec,
      batchLoss: (rows, at) => (++micro === 11 ? (spec.batchLoss(rows, at).mul(Number.NaN) as Scalar) : spec.batchLoss(rows, at)), // step 6's first micro-batch
    });
    const logs: [string, string | undefined][] = [];
    const r = await run(tinyLmConfig(), { checkpoint: { everySteps: 3, everySeconds: 0 }, onCheckpoint: async (s) => void states.push(s), onLog: (m, l) => logs.push([m, l]) }, poison);
    expect(r.losses).toHaveLength(5);
    expect(r.out).toMatchObject({ state: 'stopped', steps: 3, rolledBack: { atStep: 6, toStep: 3 } });
    expect(r.out.evals.map((e) => e.step)).toEqual([]);
    expect(r.out.finalLoss).toBe(r.losses[2]);
    expect(logs).toContainEqual([r.out.rolledBack!.message, 'warn']);
    expect(r.out.lastEvaluation).not.toBeNull();
    expect(states.map((s) => s.step)).toEqual([3]);
  });

  it('holds while paused and goes on after; a stop sent while paused ends it at once', async () => {
    const gate = new PauseGate();
    let steps = 0;
    let stop = false;
    const running = run(tinyLmConfig({ steps: 50 }), {
      onStep: () => {
        steps += 1;
        if (steps === 2 || steps === 4) gate.pause();
      },
      waitIfPaused: () => gate.wait(),
      shouldStop: () => stop,
    });
    const until = async (n: number) => {
      while (steps < n) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 150)); // long enough for several more steps, were it not paused
    };
    await until(2);
    expect(steps).toBe(2);
    gate.resume();
    await until(4);
    expect(steps).toBe(4);
    stop = true;
    gate.resume();
    const r = await running;
    expect(r.out).toMatchObject({ state: 'stopped', steps: 4 });
  });

  it('keeps the tensor count flat across steps and evaluations', async () => {
    const counts: number[] = [];
    await expectNoTensorLeak(() => run(tinyLmConfig({ steps: 8, evalEvery: 2, clipNorm: 0.5 }), { onStep: () => counts.push(tf.memory().numTensors) }));
    expectFlatTensorCounts(counts, { inFlight: 1 });
  });
});
