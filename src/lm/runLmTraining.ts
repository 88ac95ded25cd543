/**
 * The language-model training loop, in one readable file (after nanoGPT's train.py):
 *   for each optimizer step: gradAccumulation micro-batches -> causal-LM loss -> gradients of the
 *   trainable variables only (LoRA A and B, and fully trained projections) -> averaged, clipped ->
 *   AdamW at the scheduled learning rate. Every evalEvery steps (and at the end): validation loss,
 *   a few greedy sample generations, and early stopping.
 * Each micro-batch runs inside tf.tidy; accumulated gradients are the only tensors kept across them.
 */
import type { LmEvalPoint, LmStepPoint, LmTrainConfig } from '../api.ts';
import { createRng, rngState, setRngState, shuffleInPlace } from '../data/rng.ts';
import { causalLmLogits } from '../models/hf/causalLmLogits.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { tf, type Scalar, type Tensor } from '../tf.ts';
import { AdamW, type AdamWParam } from '../train/adamw.ts';
import { causalLmLoss } from '../train/causalLmLoss.ts';
import { captureWeights, nonFiniteMessage, restoreWeights, stateIsFinite, type LmPosition, type LoopState } from '../train/checkpoint.ts';
import { checkpointDue, type RolledBack } from '../train/loop.ts';
import { clipByGlobalNorm } from '../train/clipGradients.ts';
import { EarlyStopping } from '../train/earlyStopping.ts';
import { learningRateAt } from '../train/schedule.ts';
import { yieldToEventLoop } from '../train/yieldToEventLoop.ts';
import { batchTensors, lmValidationLoss, type LmRows } from './lmValidation.ts';

export interface LmTask extends LmRows {
  lm: HfCausalLm;
  lora: LmLora;
  params: AdamWParam[];
  train: number[];
  validation: number[];
}

export interface LmTrainHooks {
  onStep(point: LmStepPoint, totalSteps: number, elapsedMs: number): void;
  onEval(point: LmEvalPoint): void;
  shouldStop(): boolean;
  waitIfPaused?: () => Promise<void>;
  onLog?: (message: string, level?: 'info' | 'warn') => void;
  /** Sample generations with the adapter as it is now. */
  samples?: () => Promise<LmEvalPoint['samples']>;
  now?: () => number;
  /** As TrainHooks: checkpoints every N steps / M seconds, and when the run stops or ends. */
  checkpoint?: { everySteps: number; everySeconds: number };
  onCheckpoint?: (state: LoopState, final: 'stopped' | 'done' | null) => Promise<void>;
  resumeState?: LoopState;
}

export interface LmTrainOutcome {
  state: 'done' | 'stopped';
  stoppedEarly: boolean;
  steps: number;
  finalLoss: number;
  evals: LmEvalPoint[];
  /** Set when a NaN or infinite loss stopped the run and the weights were rolled back. */
  rolledBack?: RolledBack;
}

export async function runLmTraining(task: LmTask, config: LmTrainConfig, hooks: LmTrainHooks): Promise<LmTrainOutcome> {
  const now = hooks.now ?? (() => performance.now());
  const optimizer = new AdamW(task.params, { learningRate: config.learningRate, weightDecay: config.weightDecay });
  const schedule = config.schedule === 'constant' ? ({ kind: 'constant' } as const) : { kind: config.schedule, warmupSteps: Math.min(config.warmupSteps, config.steps) };
  const early = new EarlyStopping({ patience: config.earlyStoppingPatience });
  // The data order is seeded: the same seed replays the same batches.
  const rng = createRng(config.seed ^ 0x9e3779b9);
  let order: number[] = [];
  let cursor = 0;
  const nextRows = (): number[] => {
    const rows: number[] = [];
    while (rows.length < Math.min(config.batchSize, task.train.length)) {
      if (cursor >= order.length) {
        order = shuffleInPlace([...task.train], rng);
        cursor = 0;
      }
      rows.push(order[cursor++]!);
    }
    return rows;
  };

  const resume = hooks.resumeState;
  const resumeAt = resume?.position.kind === 'lm' ? resume.position : null;
  if (resume && !resumeAt) throw new Error('This checkpoint is from an image or table run.');
  const started = now() - (resume?.elapsedMs ?? 0);
  let pausedMs = 0;
  let trainedTokens = 0;
  let step = 0;
  let lastLoss = Number.NaN;
  let stopped = false;
  let stoppedEarly = false;
  let rolledBack: RolledBack | undefined;
  let evals: LmEvalPoint[] = [];
  const evaluate = async (): Promise<boolean> => {
    const validationLoss = task.validation.length > 0 ? await lmValidationLoss(task.lm, task.lora, task, task.validation, config.batchSize) : Number.NaN;
    const point: LmEvalPoint = { step, validationLoss, samples: (await hooks.samples?.()) ?? [] };
    evals.push(point);
    hooks.onEval(point);
    const verdict = early.update(validationLoss);
    if (verdict.stop) hooks.onLog?.(`Stopped early at step ${step}: the validation loss has not improved for ${verdict.badEpochs} evaluations (best ${verdict.best.toFixed(4)}).`);
    return verdict.stop;
  };
  const evalDue = (): boolean => config.evalEvery > 0 && step % config.evalEvery === 0 && step < config.steps;
  const capture = async (pendingEval: boolean): Promise<LoopState> => ({
    step,
    totalSteps: config.steps,
    lastLoss,
    elapsedMs: now() - started - pausedMs,
    ...(await captureWeights(task.params, optimizer)),
    rng: { order: rngState(rng) },
    position: { kind: 'lm', cursor, order: Int32Array.from(order), trainedTokens, evals: structuredClone(evals), pendingEval } satisfies LmPosition,
  });

  try {
    if (resume && resumeAt) {
      restoreWeights(task.params, optimizer, resume);
      setRngState(rng, resume.rng.order ?? 0);
      order = Array.from(resumeAt.order);
      cursor = resumeAt.cursor;
      trainedTokens = resumeAt.trainedTokens;
      evals = structuredClone(resumeAt.evals);
      for (const e of evals) early.update(e.validationLoss);
      step = resume.step;
      lastLoss = resume.lastLoss;
    }
    let lastGood: LoopState = resume ?? (await capture(false));
    let lastCheckpointAt = now();
    // A run stopped just before an evaluation does it first, as the uninterrupted run did.
    if (resumeAt?.pendingEval && (await evaluate())) stoppedEarly = true;
    while (step < config.steps && !stoppedEarly) {
      const lr = learningRateAt(schedule, config.learningRate, step, config.steps);
      let sums: Record<string, Tensor> | null = null;
      // Micro-batch losses stay on the device; one 4-byte read per optimizer step, not per micro-batch.
      let lossSumT: Tensor | null = null;
      for (let micro = 0; micro < config.gradAccumulation; micro++) {
        const rows = nextRows();
        const { value, grads, tokens } = tf.tidy(() => {
          const { ids, labels, mask, tokens: real } = batchTensors(task, rows);
          const out = tf.variableGrads(() => {
            const { logits } = causalLmLogits(task.lm, ids, { attentionMask: mask, lora: task.lora, training: true, dropoutSeed: config.seed + step * 131 + micro }); // [B, T, V]
            return causalLmLoss(logits, labels).loss as Scalar;
          }, optimizer.variables);
          return { ...out, tokens: real };
        });
        trainedTokens += tokens;
        // Micro-batch gradients are averaged, as transformers divides each micro-batch loss by the accumulation steps.
        const scaled = tf.tidy(() => Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, sums ? tf.add(sums[k]!, g.div(config.gradAccumulation)) : g.div(config.gradAccumulation)])));
        if (sums) tf.dispose(Object.values(sums));
        tf.dispose(Object.values(grads));
        sums = scaled;
        const nextSum: Tensor = lossSumT ? tf.add(lossSumT, value) : value;
        if (lossSumT) {
          lossSumT.dispose();
          value.dispose();
        }
        lossSumT = nextSum;
      }
      const loss = ((await lossSumT!.data())[0] ?? Number.NaN) / config.gradAccumulation;
      lossSumT!.dispose();
      if (!Number.isFinite(loss)) {
        // The update is never applied: the weights go back to the last good checkpoint all the same.
        tf.dispose(Object.values(sums!));
        restoreWeights(task.params, optimizer, lastGood);
        rolledBack = { atStep: step + 1, toStep: lastGood.step, message: nonFiniteMessage(loss, step + 1, lastGood.step) };
        break;
      }
      tf.tidy(() => {
        const grads = sums!;
        optimizer.apply(config.clipNorm > 0 ? clipByGlobalNorm(grads, config.clipNorm).grads : grads, lr);
      });
      tf.dispose(Object.values(sums!));
      step += 1;
      lastLoss = loss;
      const elapsed = now() - started - pausedMs;
      hooks.onStep({ step, loss: lastLoss, learningRate: lr, tokensPerSecond: elapsed > 0 ? (trainedTokens * 1000) / elapsed : 0 }, config.steps, elapsed);
      await yieldToEventLoop();
      const pauseStart = now();
      await hooks.waitIfPaused?.();
      pausedMs += now() - pauseStart;
      if (hooks.shouldStop()) {
        stopped = true;
        if (hooks.onCheckpoint) await hooks.onCheckpoint(await capture(evalDue()), 'stopped');
        break;
      }
      if (evalDue() && (await evaluate())) {
        stoppedEarly = true;
        break;
      }
      if (hooks.onCheckpoint && checkpointDue(hooks.checkpoint, step, now() - lastCheckpointAt)) {
        const state = await capture(false);
        if (stateIsFinite(state)) {
          lastGood = state;
          await hooks.onCheckpoint(state, null);
        }
        lastCheckpointAt = now();
      }
    }
    if (rolledBack) {
      step = lastGood.step;
      lastLoss = lastGood.lastLoss;
      evals = evals.filter((e) => e.step <= step);
      hooks.onLog?.(rolledBack.message, 'warn');
    } else {
      if (!stoppedEarly && step > 0) await evaluate();
      if (!stopped && hooks.onCheckpoint) await hooks.onCheckpoint(await capture(false), 'done');
    }
  } finally {
    optimizer.dispose();
  }
  return { state: stopped || rolledBack ? 'stopped' : 'done', stoppedEarly, steps: step, finalLoss: lastLoss, evals, ...(rolledBack ? { rolledBack } : {}) };
}
