/**
 * The language-model training loop, in one readable file (after nanoGPT's train.py):
 *   for each optimizer step: gradAccumulation micro-batches -> causal-LM loss -> gradients of the
 *   trainable variables only (LoRA A and B, and fully trained projections) -> averaged, clipped ->
 *   AdamW at the scheduled learning rate. Every evalEvery steps (and at the end): validation loss,
 *   a few greedy sample generations, and early stopping.
 * Each micro-batch runs inside tf.tidy; accumulated gradients are the only tensors kept across them.
 */
import type { LmEvalPoint, LmStepPoint, LmTrainConfig } from '../api.ts';
import { createRng, shuffleInPlace } from '../data/rng.ts';
import { causalLmLogits } from '../models/hf/causalLmLogits.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import { tf, type Scalar, type Tensor } from '../tf.ts';
import { AdamW, type AdamWParam } from '../train/adamw.ts';
import { causalLmLoss } from '../train/causalLmLoss.ts';
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
  onLog?: (message: string) => void;
  /** Sample generations with the adapter as it is now. */
  samples?: () => Promise<LmEvalPoint['samples']>;
  now?: () => number;
}

export interface LmTrainOutcome {
  state: 'done' | 'stopped';
  stoppedEarly: boolean;
  steps: number;
  finalLoss: number;
  evals: LmEvalPoint[];
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

  const started = now();
  let pausedMs = 0;
  let trainedTokens = 0;
  let step = 0;
  let lastLoss = Number.NaN;
  let stopped = false;
  let stoppedEarly = false;
  const evals: LmEvalPoint[] = [];
  const evaluate = async (): Promise<boolean> => {
    const validationLoss = task.validation.length > 0 ? await lmValidationLoss(task.lm, task.lora, task, task.validation, config.batchSize) : Number.NaN;
    const point: LmEvalPoint = { step, validationLoss, samples: (await hooks.samples?.()) ?? [] };
    evals.push(point);
    hooks.onEval(point);
    const verdict = early.update(validationLoss);
    if (verdict.stop) hooks.onLog?.(`Stopped early at step ${step}: the validation loss has not improved for ${verdict.badEpochs} evaluations (best ${verdict.best.toFixed(4)}).`);
    return verdict.stop;
  };

  try {
    while (step < config.steps) {
      const lr = learningRateAt(schedule, config.learningRate, step, config.steps);
      let sums: Record<string, Tensor> | null = null;
      let lossSum = 0;
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
        lossSum += (await value.data())[0] ?? Number.NaN;
        value.dispose();
      }
      tf.tidy(() => {
        const grads = sums!;
        optimizer.apply(config.clipNorm > 0 ? clipByGlobalNorm(grads, config.clipNorm).grads : grads, lr);
      });
      tf.dispose(Object.values(sums!));
      step += 1;
      lastLoss = lossSum / config.gradAccumulation;
      const elapsed = now() - started - pausedMs;
      hooks.onStep({ step, loss: lastLoss, learningRate: lr, tokensPerSecond: elapsed > 0 ? (trainedTokens * 1000) / elapsed : 0 }, config.steps, elapsed);
      await yieldToEventLoop();
      const pauseStart = now();
      await hooks.waitIfPaused?.();
      pausedMs += now() - pauseStart;
      if (hooks.shouldStop()) {
        stopped = true;
        break;
      }
      if (config.evalEvery > 0 && step % config.evalEvery === 0 && step < config.steps && (await evaluate())) {
        stoppedEarly = true;
        break;
      }
    }
    if (!stoppedEarly && step > 0) await evaluate();
  } finally {
    optimizer.dispose();
  }
  return { state: stopped ? 'stopped' : 'done', stoppedEarly, steps: step, finalLoss: lastLoss, evals };
}
