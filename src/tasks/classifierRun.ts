/**
 * Setting up a classifier run for the one training loop: the head on cached features (every base
 * layer frozen: the base runs once per image, then each step is a tiny head update), or the model
 * itself with LoRA and trained layers (a private copy, so the loaded base stays as it was).
 */
import type { ClassifierTrainConfig, Evaluation, TrainPlan, TrainResult } from '../api.ts';
import { createRng } from '../data/rng.ts';
import { outputSize, type TrainingSet } from '../data/trainingSet.ts';
import { EngineError } from '../errors.ts';
import { createLoraAdapters } from '../lora/loraAdapter.ts';
import { isHeadOnly, normalizePlan, validatePlanForBase } from '../lora/planSummary.ts';
import { snapshotRun, restoreRun, type RunSnapshot } from '../lora/runSnapshot.ts';
import { loadBase, type BaseModel, type ModelSource } from '../models/baseModel.ts';
import { computeFeatures } from '../models/features.ts';
import type { PreparedRun } from '../session/task.ts';
import { tf, type Tensor1D, type Tensor2D } from '../tf.ts';
import { createHead, disposeHead, headFromValues } from '../train/head.ts';
import { evaluateHead, headTask, type TrainData, type ValidationPass } from '../train/headTask.ts';
import { evaluatePlanned, planTask, targetScaleOf } from '../train/planTask.ts';
import { commonResult, runTrainLoop, type TrainLoopSpec } from '../train/trainLoop.ts';
import type { ClassifierTask } from './classifierTask.ts';
import { disposeSplit, emptyResult, sortedPlan, toEvaluation, type Trained } from './trainedRun.ts';

export async function prepareClassifierRun(task: ClassifierTask, config: ClassifierTrainConfig, plan: TrainPlan): Promise<PreparedRun<TrainResult, ValidationPass>> {
  const base = task.requireBase();
  const dataset = task.requireDataset();
  validatePlanForBase(base, plan);
  const numClasses = outputSize(dataset);
  const loadedWith = { base, dataset };
  const from = config.continueFromLastRun ? await lastRunFor(task, plan, dataset) : null;
  let cleanup = (): void => {};
  let run: Trained;
  let spec: TrainLoopSpec<ValidationPass>;
  const backend = task.context.backendName();
  if (isHeadOnly(plan)) {
    const data = await cachedSplit(task, base, dataset);
    cleanup = () => disposeSplit(data);
    const head = from
      ? headFromValues(from.snapshot.head.kernel, from.snapshot.head.bias, base.summary.featureSize, numClasses)
      : createHead(base.summary.featureSize, numClasses, createRng(config.seed));
    run = { head, base, plan, adapters: new Map(), dataset, config, result: emptyResult(dataset), backend, loadedWith };
    spec = headTask(head, data, config.epochs);
  } else {
    const copy = await loadBase(from ? from.source : base.source, task.context.fetch);
    const { head, adapters } = from
      ? restoreRun(from.snapshot, copy)
      : { head: createHead(copy.summary.featureSize, numClasses, createRng(config.seed)), adapters: createLoraAdapters(copy.model, plan, createRng(config.seed ^ 0x5bd1e995)) };
    run = { head, base: copy, plan, adapters, dataset, config, result: emptyResult(dataset), backend, loadedWith };
    const dropoutRng = createRng(config.seed ^ 0x2545f491);
    spec = planTask({ base: copy, plan, adapters, head }, dataset, dropoutRng, config.epochs);
  }
  let kept = false;
  return {
    spec,
    async finish(outcome, stopRequested) {
      const baseline = isHeadOnly(plan) || stopRequested || outcome.rolledBack ? null : await baselineFor(task, base, dataset, config);
      const result: Omit<TrainResult, 'runId'> = {
        task: 'classifier',
        ...commonResult(outcome),
        classes: dataset.classes,
        evaluation: toEvaluation(dataset.classes, outcome.lastEvaluation?.detail ?? null),
        baseline,
      };
      if (result.steps > 0) {
        task.replaceTrained({ ...run, result });
        kept = true;
      }
      return result;
    },
    dispose() {
      cleanup();
      if (!kept) task.disposeRun(run);
    },
  };
}

/**
 * Classic transfer on the same split and settings (frozen base, new head), quietly: the yardstick
 * a plan's evaluation is shown beside. Cheap, since it trains on cached features.
 */
async function baselineFor(task: ClassifierTask, base: BaseModel, dataset: TrainingSet, config: ClassifierTrainConfig): Promise<Evaluation | null> {
  const data = await cachedSplit(task, base, dataset);
  const head = createHead(base.summary.featureSize, outputSize(dataset), createRng(config.seed));
  try {
    const outcome = await runTrainLoop(headTask(head, data, config.epochs), config, { onStep: () => {}, onEval: () => {}, shouldStop: () => task.context.shouldStop() });
    return toEvaluation(dataset.classes, outcome.lastEvaluation?.detail ?? null);
  } finally {
    disposeHead(head);
    disposeSplit(data);
  }
}

/** The last run as values to start from, if it can carry on with this plan and these classes. */
async function lastRunFor(task: ClassifierTask, plan: TrainPlan, dataset: TrainingSet): Promise<{ snapshot: RunSnapshot; source: ModelSource }> {
  const last = task.requireTrained('continue from it');
  if (JSON.stringify(sortedPlan(normalizePlan(last.plan))) !== JSON.stringify(sortedPlan(normalizePlan(plan)))) {
    throw new EngineError('bad-config', 'To continue from the last run, keep its layer plan (or untick "continue" to start fresh).');
  }
  if (last.dataset.task !== dataset.task || last.dataset.classes.join('\u0000') !== dataset.classes.join('\u0000')) {
    throw new EngineError('bad-config', `The last run predicts ${last.dataset.classes.join(', ')}; this dataset has ${dataset.classes.join(', ')}. Continue only with the same classes.`);
  }
  return { snapshot: await snapshotRun(last), source: last.base.source };
}

/** One validation pass of a run on its dataset's split. */
export async function validateRun(task: ClassifierTask, run: Trained): Promise<ValidationPass> {
  if (!isHeadOnly(run.plan)) return evaluatePlanned(run, run.dataset, run.dataset.split.validation);
  const data = await cachedSplit(task, run.base, run.dataset);
  try {
    return await evaluateHead(run.head, data.valX, data.valY, data.numClasses, data.regression);
  } finally {
    disposeSplit(data);
  }
}

/** Cached base features split into train and validation rows. */
async function cachedSplit(task: ClassifierTask, base: BaseModel, dataset: TrainingSet): Promise<TrainData> {
  const all = await featuresFor(task, base, dataset);
  return {
    ...tf.tidy(() => {
      const pick = (idx: number[]) => tf.tensor1d(idx, 'int32'); // [n]
      // Class ids, or standardised targets for regression.
      const labels = dataset.targets ? tf.tensor1d(dataset.targets) : tf.tensor1d(dataset.labels, 'int32'); // [N]
      return {
        trainX: tf.gather(all, pick(dataset.split.train)) as Tensor2D, // [Ntrain, F]
        trainY: tf.gather(labels, pick(dataset.split.train)) as Tensor1D,
        valX: tf.gather(all, pick(dataset.split.validation)) as Tensor2D, // [Nval, F]
        valY: tf.gather(labels, pick(dataset.split.validation)) as Tensor1D,
      };
    }),
    numClasses: outputSize(dataset),
    classes: dataset.classes,
    regression: targetScaleOf(dataset),
  };
}

async function featuresFor(task: ClassifierTask, base: BaseModel, dataset: TrainingSet): Promise<Tensor2D> {
  // Keyed on the inputs: an image re-split reuses them, a new import or model does not. (A table's
  // re-split refits its encoder, so its inputs change and the features are computed again.)
  if (task.features && task.features.key === dataset.inputsKey && task.features.base === base) return task.features.x;
  task.disposeFeatures();
  const x = await computeFeatures(base, dataset, (done, total) =>
    task.context.emit({ type: 'progress', task: 'features', done, total, label: `Computing base features ${done}/${total}` }),
  );
  task.features = { key: dataset.inputsKey, base, x };
  return x;
}
