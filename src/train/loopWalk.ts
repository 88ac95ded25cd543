/**
 * How a run walks its training rows, and where it is (the checkpoint's position), for the two kinds
 * of batches the loop knows:
 *  - epochs: rows 0..trainSize-1, reshuffled at the start of each epoch (the previous epoch's order
 *    shuffled again, as the old loop did, so its checkpoints resume); evaluated at each epoch's end.
 *  - steps: rows drawn from a stream that is a fresh shuffle of `rows` whenever it runs out;
 *    evaluated every evalEvery optimizer steps and at the last one.
 * The data-order generator is shared with the loop (it saves and restores its state).
 */
import type { EvalPoint, StepPoint } from '../api.ts';
import { shuffleInPlace, type Rng } from '../data/rng.ts';
import type { EpochPosition, LmPosition } from './checkpointState.ts';
import type { LoopBatches } from './trainLoop.ts';

export interface LoopWalk {
  readonly totalSteps: number;
  /** Micro-batches per optimizer step. */
  readonly microBatches: number;
  /** Rows of the next (micro-)batch; the walk moves on to the batch after it. */
  nextRows(): number[];
  /** When an optimizer step's (mean) loss is known (the loop may have drawn the next step's rows already). */
  afterStep(loss: number): void;
  /** Whether an evaluation is due after `step` optimizer steps (those whose rows were drawn). */
  evalDue(step: number): boolean;
  /** The evaluation's point (epoch runs add the epoch and its mean training loss). */
  evalPoint(step: number, metrics: Omit<EvalPoint, 'step'>): EvalPoint;
  /** After the in-run evaluation at evalDue: an epoch run moves on to the next epoch (and its order). */
  afterEval(): void;
  /** What the step point adds (the epoch). */
  stepFields(): Pick<StepPoint, 'epoch'>;
  /** The sentence logged when early stopping ends the run. */
  earlyStopMessage(step: number, badEvals: number, best: number): string;
  position(evals: EvalPoint[], trainedTokens: number, pendingEval: boolean): EpochPosition | LmPosition;
  /** Puts the walk where a checkpoint left it; returns its evaluations, trained tokens and whether an evaluation is pending. */
  restore(position: EpochPosition | LmPosition): { evals: EvalPoint[]; trainedTokens: number; pendingEval: boolean };
}

export function loopWalk(batches: LoopBatches, batchSize: number, rng: Rng): LoopWalk {
  return batches.kind === 'epochs' ? epochWalk(batches.trainSize, batches.epochs, batchSize, rng) : stepWalk(batches, batchSize, rng);
}

function epochWalk(trainSize: number, epochs: number, batchSize: number, rng: Rng): LoopWalk {
  const perEpoch = Math.ceil(trainSize / batchSize);
  let epoch = 1;
  let batch = 0;
  let order = shuffleInPlace(Array.from({ length: trainSize }, (_, i) => i), rng);
  let epochLossSum = 0;
  let epochSteps = 0;
  return {
    totalSteps: perEpoch * epochs,
    microBatches: 1,
    nextRows: () => order.slice(batch * batchSize, ++batch * batchSize),
    afterStep(loss) {
      epochLossSum += loss;
      epochSteps += 1;
    },
    evalDue: () => batch >= perEpoch && epoch <= epochs,
    evalPoint: (step, metrics) => ({ step, epoch, trainLoss: epochSteps > 0 ? epochLossSum / epochSteps : Number.NaN, ...metrics }),
    afterEval() {
      epoch += 1;
      batch = 0;
      epochLossSum = 0;
      epochSteps = 0;
      if (epoch <= epochs) shuffleInPlace(order, rng);
    },
    stepFields: () => ({ epoch }),
    earlyStopMessage: (_step, bad, best) => `Stopped early after epoch ${epoch}: the validation loss has not improved for ${bad} epochs (best ${best.toFixed(4)}).`,
    position: (evals, trainedTokens) => ({ kind: 'epochs', epoch, batch, order: Int32Array.from(order), epochLossSum, epochSteps, epochs: evals, ...(trainedTokens > 0 ? { trainedTokens } : {}) }),
    restore(position) {
      if (position.kind !== 'epochs') throw new Error('This checkpoint is from a language-model run.');
      ({ epoch, batch, epochLossSum, epochSteps } = position);
      order = Array.from(position.order);
      // A run stopped (or saved, by the old loop) after an epoch's last step, before its evaluation.
      return { evals: structuredClone(position.epochs), trainedTokens: position.trainedTokens ?? 0, pendingEval: batch >= perEpoch && epoch <= epochs };
    },
  };
}

function stepWalk(batches: Extract<LoopBatches, { kind: 'steps' }>, batchSize: number, rng: Rng): LoopWalk {
  const { rows, steps, evalEvery } = batches;
  if (rows.length === 0) throw new Error('There are no training rows to draw batches from.');
  if (!(Number.isInteger(batches.gradAccumulation) && batches.gradAccumulation >= 1)) throw new RangeError(`gradAccumulation must be a whole number from 1, got ${batches.gradAccumulation}`);
  let order: number[] = [];
  let cursor = 0;
  const size = Math.min(batchSize, rows.length);
  return {
    totalSteps: steps,
    microBatches: batches.gradAccumulation,
    nextRows() {
      const out: number[] = [];
      while (out.length < size) {
        if (cursor >= order.length) {
          order = shuffleInPlace([...rows], rng);
          cursor = 0;
        }
        out.push(order[cursor++]!);
      }
      return out;
    },
    afterStep: () => {},
    evalDue: (step) => (evalEvery > 0 && step % evalEvery === 0) || step === steps,
    evalPoint: (step, metrics) => ({ step, ...metrics }),
    afterEval: () => {},
    stepFields: () => ({}),
    earlyStopMessage: (step, bad, best) => `Stopped early at step ${step}: the validation loss has not improved for ${bad} evaluations (best ${best.toFixed(4)}).`,
    position: (evals, trainedTokens, pendingEval) => ({ kind: 'lm', cursor, order: Int32Array.from(order), trainedTokens, evals, pendingEval }),
    restore(position) {
      if (position.kind !== 'lm') throw new Error('This checkpoint is from an image or table run.');
      order = Array.from(position.order);
      cursor = position.cursor;
      return { evals: structuredClone(position.evals), trainedTokens: position.trainedTokens, pendingEval: position.pendingEval };
    },
  };
}
