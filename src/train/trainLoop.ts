/**
 * The training loop, one for every task (after nanoGPT's train.py). A task gives its parameters,
 * a batch loss and a validation pass (TrainLoopSpec); the loop owns everything else.
 *
 * Each optimizer step, in this order:
 *   1. micro-batches (gradAccumulation of them; 1 for epoch runs): the batch loss and the gradients
 *      of spec.params only (tf.variableGrads), each divided by gradAccumulation and summed, the loss
 *      summed on the device; one tf.tidy per micro-batch, so only the sums live across them;
 *   2. ONE loss read, started now (data(), async) and awaited later; clip to settings.clipNorm,
 *      AdamW at the scheduled learning rate, all enqueued without waiting for the device;
 *   3. unless something after this step needs its weights (an evaluation, a checkpoint, the end, a
 *      stop already asked for), the NEXT step's work is enqueued before this step's loss is awaited:
 *      on WebGPU the device never waits for the loss to come back (on CPU and WASM, which run each
 *      op as it is called, nothing changes). Everything below sees each step's loss, one step late
 *      at most; a NaN or infinite loss sends the weights and optimizer back to the last good state
 *      (the start or the last finite checkpoint), the step after it (already taken) included;
 *   4. onStep (the chart shows every step as it happens);
 *   5. a turn of the event loop, then the pause gate: a Stop sent while paused is seen as soon as
 *      the gate opens (PauseGate: stop, then resume), after the step already enqueued, if any;
 *   6. (only when no next step was enqueued) stop check, BEFORE any evaluation: Stop is prompt (no validation pass or sample generation
 *      first); the 'stopped' checkpoint records the evaluation as pending (an epoch at its last
 *      batch, or pendingEval), so a resumed run does it first and goes on exactly as the
 *      uninterrupted one (both old loops' checkpoints have that form);
 *   7. evaluation when due (an epoch's end / every evalEvery steps / the last step), then early stopping;
 *   8. the periodic checkpoint, AFTER the evaluation: it then holds that evaluation and the early
 *      stopping history, so a resume never repeats it (the language-model loop's order; the epoch
 *      loop saved before evaluating, and such checkpoints still resume: see loopWalk.ts).
 * At the end: a final evaluation when the last step was not just evaluated (a stopped run too, so
 * the caller has metrics of the weights it keeps), and a 'done' checkpoint unless stopped.
 */
import type { CheckpointSettings, EvalPoint, LrSchedule, RollbackReport, RunResultBase, TrainSettings } from '../api.ts';
import { createRng, rngState, setRngState } from '../data/rng.ts';
import { tf, type Tensor } from '../tf.ts';
import { AdamW } from './adamw.ts';
import { captureWeights, nonFiniteMessage, restoreWeights, stateIsFinite, type LoopState } from './checkpointState.ts';
import { StepHistoryRecorder } from './stepHistory.ts';
import { clipByGlobalNorm } from './clipGradients.ts';
import { EarlyStopping } from './earlyStopping.ts';
import { loopWalk } from './loopWalk.ts';
import { learningRateAt } from './schedule.ts';
import { yieldToEventLoop } from './yieldToEventLoop.ts';

import type { LoopEvaluation, TrainLoopHooks, TrainLoopOutcome, TrainLoopSpec } from './trainLoopTypes.ts';

export type { LoopBatches, LoopEvaluation, TrainLoopHooks, TrainLoopOutcome, TrainLoopSpec } from './trainLoopTypes.ts';

/** A step whose update is enqueued and whose loss is on its way back. */
interface LaunchedStep {
  lossSum: Tensor;
  /** The step's mean loss, once read back. */
  loss: Promise<number>;
  metrics: Promise<Record<string, number>> | null;
  lr: number;
  /** Tokens trained once this step is counted. */
  tokens: number;
}

/** When the periodic checkpoint is due: every N steps, or M seconds after the last one. */
export function checkpointDue(every: CheckpointSettings | undefined, step: number, sinceLastMs: number): boolean {
  if (!every) return false;
  return (every.everySteps > 0 && step % every.everySteps === 0) || (every.everySeconds > 0 && sinceLastMs >= every.everySeconds * 1000);
}

/** The schedule over this run: a warm-up longer than the run is cut to it (as the language-model loop did). */
function runSchedule(schedule: LrSchedule | undefined, totalSteps: number): LrSchedule {
  if (!schedule || schedule.kind === 'constant') return { kind: 'constant' };
  return { ...schedule, warmupSteps: Math.min(schedule.warmupSteps, totalSteps) };
}

export async function runTrainLoop<D>(spec: TrainLoopSpec<D>, settings: TrainSettings, hooks: TrainLoopHooks): Promise<TrainLoopOutcome<D>> {
  const now = hooks.now ?? (() => performance.now());
  // One generator for the data order, seeded by the run's seed: the same seed replays the same batches.
  const rng = createRng(settings.seed ^ 0x9e3779b9);
  const walk = loopWalk(spec.batches, settings.batchSize, rng);
  const { totalSteps, microBatches } = walk;
  const schedule = runSchedule(settings.schedule, totalSteps);
  const clipNorm = settings.clipNorm ?? 0;
  const early = new EarlyStopping({ patience: settings.earlyStopping?.patience ?? 0, minDelta: settings.earlyStopping?.minDelta ?? 0 });
  const optimizer = new AdamW(spec.params, { learningRate: settings.learningRate, weightDecay: settings.weightDecay, ...spec.adam });
  const resume = hooks.resumeState;
  const started = now() - (resume?.elapsedMs ?? 0);
  let pausedMs = 0;
  let step = 0;
  let lastLoss = Number.NaN;
  let trainedTokens = 0;
  let evals: EvalPoint[] = [];
  let lastEvaluation: LoopEvaluation<D> | null = null;
  let stopped = false;
  let stoppedEarly = false;
  let rolledBack: RollbackReport | undefined;
  // The chart's history travels with each checkpoint, so a resumed run shows the steps before it.
  const history = new StepHistoryRecorder(resume?.history);

  const capture = async (pendingEval: boolean): Promise<LoopState> => ({
    step,
    totalSteps,
    lastLoss,
    elapsedMs: now() - started - pausedMs,
    ...(await captureWeights(spec.params, optimizer)),
    rng: { order: rngState(rng), ...(spec.rng ? { task: rngState(spec.rng) } : {}) },
    position: walk.position(structuredClone(evals), trainedTokens, pendingEval),
    history: history.capture(),
  });

  /** Validation, its point, early stopping: true when the run should end early. */
  const evaluate = async (): Promise<boolean> => {
    lastEvaluation = await spec.evaluate();
    const point = walk.evalPoint(step, lastEvaluation.metrics);
    evals.push(point);
    hooks.onEval(point);
    const verdict = early.update(point.validationLoss);
    const endsEarly = verdict.stop && step < totalSteps;
    if (endsEarly) hooks.onLog?.(walk.earlyStopMessage(step, verdict.badEpochs, verdict.best));
    return endsEarly;
  };

  /** The micro-batches of one optimizer step: summed (scaled) gradients and the summed loss, on the device. */
  const accumulate = (index: number): { lossSum: Tensor; grads: Record<string, Tensor> } => {
    let grads: Record<string, Tensor> | null = null;
    let lossSum: Tensor | null = null;
    for (let micro = 0; micro < microBatches; micro++) {
      const rows = walk.nextRows();
      if (spec.countTokens) trainedTokens += spec.countTokens(rows);
      const prev: { lossSum: Tensor | null; grads: Record<string, Tensor> | null } = { lossSum, grads };
      const next = tf.tidy(() => {
        // Gradients only for the task's parameters: frozen weights never enter the tape's results.
        const { value, grads: g } = tf.variableGrads(() => spec.batchLoss(rows, { step: index, micro }), optimizer.variables);
        // As transformers divides each micro-batch loss by the accumulation steps: the mean over the effective batch.
        const names = new Set([...Object.keys(g), ...Object.keys(prev.grads ?? {})]);
        const summed: Record<string, Tensor> = {};
        for (const name of names) {
          const cur = g[name] ? (microBatches > 1 ? tf.div(g[name], microBatches) : g[name]) : null;
          const old = prev.grads?.[name];
          summed[name] = cur && old ? tf.add(old, cur) : (cur ?? old!.clone());
        }
        return { lossSum: prev.lossSum ? tf.add(prev.lossSum, value) : value, grads: summed };
      });
      if (prev.grads) tf.dispose(Object.values(prev.grads));
      prev.lossSum?.dispose();
      ({ lossSum, grads } = next);
    }
    return { lossSum: lossSum!, grads: grads! };
  };

  /** Steps whose update has been enqueued: `step`, or one more while a step's loss is on its way back. */
  let launched = 0;

  /** Enqueues the next optimizer step (gradients, clipping, AdamW) and starts reading its loss back, without waiting. */
  const launch = (): LaunchedStep => {
    const index = launched;
    const lr = learningRateAt(schedule, settings.learningRate, index, totalSteps);
    const { lossSum, grads } = accumulate(index);
    // The read starts here, queued right behind this step's work (TF.js' WebGPU backend submits the copy at once).
    const loss = lossSum.data().then((v) => (v[0] ?? Number.NaN) / microBatches);
    // Awaited by settle(); if this step fails before then (a lost device aborts the read), the error
    // that ends the run is the step's own, not an unhandled rejection of this read.
    loss.catch(() => undefined);
    const metrics = spec.stepMetrics ? spec.stepMetrics() : null;
    tf.tidy(() => optimizer.apply(clipNorm > 0 ? clipByGlobalNorm(grads, clipNorm).grads : grads, lr));
    tf.dispose(Object.values(grads));
    launched += 1;
    return { lossSum, loss, metrics, lr, tokens: trainedTokens };
  };

  /** Waits for a launched step's loss (and metrics) and frees what it held. */
  const settle = async (l: LaunchedStep): Promise<{ loss: number; metrics: Record<string, number> | null }> => {
    try {
      return { loss: await l.loss, metrics: l.metrics ? await l.metrics : null };
    } finally {
      l.lossSum.dispose();
    }
  };

  try {
    let pendingEval = false;
    if (resume) {
      ({ evals, trainedTokens, pendingEval } = walk.restore(resume.position));
      restoreWeights(spec.params, optimizer, resume);
      setRngState(rng, resume.rng.order ?? 0);
      if (spec.rng && resume.rng.task !== undefined) setRngState(spec.rng, resume.rng.task);
      for (const e of evals) early.update(e.validationLoss);
      step = resume.step;
      launched = step;
      lastLoss = resume.lastLoss;
    }
    // The last state known to be good: where a NaN loss rolls back to (the start, then each checkpoint).
    let lastGood: LoopState = resume ?? (await capture(false));
    let lastCheckpointAt = now();
    let justEvaluated = false;
    if (pendingEval) {
      // A run stopped just before an evaluation does it first, as the uninterrupted run did.
      justEvaluated = true;
      stoppedEarly = await evaluate();
      walk.afterEval();
    }
    let current: LaunchedStep | null = null;
    while (!stoppedEarly && (current || step < totalSteps)) {
      current ??= launch();
      // The next step goes in before this one's loss is back, unless what follows this step needs its weights.
      const due = launched >= totalSteps || walk.evalDue(launched) || (hooks.onCheckpoint !== undefined && checkpointDue(hooks.checkpoint, launched, now() - lastCheckpointAt)) || hooks.shouldStop();
      const next = due ? null : launch();
      const taken = current;
      const { loss, metrics } = await settle(taken);
      current = next;
      if (!Number.isFinite(loss)) {
        if (next) await settle(next);
        current = null;
        launched = step;
        // The bad step's update (and the next one's) is undone with everything since lastGood.
        restoreWeights(spec.params, optimizer, lastGood);
        rolledBack = { atStep: step + 1, toStep: lastGood.step, message: nonFiniteMessage(loss, step + 1, lastGood.step) };
        break;
      }
      step += 1;
      lastLoss = loss;
      justEvaluated = false;
      walk.afterStep(loss);
      const elapsed = now() - started - pausedMs;
      const tokens = spec.countTokens ? { tokensPerSecond: elapsed > 0 ? (taken.tokens * 1000) / elapsed : 0 } : {};
      const point = { step, loss, learningRate: taken.lr, ...walk.stepFields(), ...tokens, ...(metrics ? { metrics } : {}) };
      history.push(point);
      hooks.onStep(point, totalSteps, elapsed);
      await yieldToEventLoop();
      const pauseStart = now();
      await hooks.waitIfPaused?.();
      pausedMs += now() - pauseStart;
      // A step already enqueued: it runs to its end first, and the checks below come after it.
      if (next) continue;
      if (hooks.shouldStop()) {
        stopped = true;
        if (hooks.onCheckpoint) await hooks.onCheckpoint(await capture(walk.evalDue(step)), 'stopped');
        break;
      }
      if (walk.evalDue(step)) {
        justEvaluated = true;
        stoppedEarly = await evaluate();
        walk.afterEval();
        if (stoppedEarly) break;
      }
      // The last step needs none: the 'done' checkpoint follows.
      if (step < totalSteps && hooks.onCheckpoint && checkpointDue(hooks.checkpoint, step, now() - lastCheckpointAt)) {
        const state = await capture(false);
        // A step can leave NaN weights behind a finite loss: the next step's loss shows it, and a bad state is never kept.
        if (stateIsFinite(state)) {
          lastGood = state;
          await hooks.onCheckpoint(state, null);
        }
        lastCheckpointAt = now();
      }
    }
    if (rolledBack) {
      // The weights and optimizer are back at lastGood; so are the step count and the evaluations reported.
      step = lastGood.step;
      lastLoss = lastGood.lastLoss;
      evals = evals.filter((e) => e.step <= step);
      history.truncate(step);
      lastEvaluation = step > 0 ? await spec.evaluate() : null;
      hooks.onLog?.(rolledBack.message, 'warn');
    } else {
      if (!justEvaluated && step > 0) await evaluate();
      if (!stopped && hooks.onCheckpoint) await hooks.onCheckpoint(await capture(false), 'done');
    }
  } finally {
    optimizer.dispose();
  }
  return {
    state: stopped || rolledBack ? 'stopped' : 'done',
    stoppedEarly,
    steps: step,
    finalLoss: lastLoss,
    evals,
    lastEvaluation,
    ...(rolledBack ? { rolledBack } : {}),
  };
}

/** The part of a task's result every run has, from the loop's outcome. */
export function commonResult(outcome: TrainLoopOutcome<unknown>): Omit<RunResultBase, 'runId'> {
  const { state, stoppedEarly, steps, finalLoss, evals, rolledBack } = outcome;
  return { state, stoppedEarly, steps, finalLoss, evals, ...(rolledBack ? { rolledBack } : {}) };
}
