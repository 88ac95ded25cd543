/**
 * Setting up a preference run (DPO, IPO, hinge, robust, SimPO, ORPO) for the one training loop, as
 * prepareLmRun sets up supervised tuning: the same plan, LoRA and fully trained projections, with
 * preferenceLoopSpec's loss and evaluation. The reference is the loaded base with the adapter
 * disabled (no second copy of its weights); a run that continues from the last (or an imported)
 * adapter, such as one made by supervised tuning, uses a frozen copy of that adapter as its
 * reference, as TRL's "ref" adapter does.
 */
import type { LmTrainConfig, LmTrainResult, PreferenceMetrics, TrainPlan } from '../api.ts';
import { REFERENCE_LOSSES } from '../api/preferenceTypes.ts';
import { disposeLmLora } from '../lm/createLmLora.ts';
import { disposeFull, withWeights } from '../lm/lmWeights.ts';
import { preferenceLoopSpec } from '../lm/preferenceLoopSpec.ts';
import { completionLogps, scorePairs, scorePreferences, summarizePairs, type ScoringModel } from '../lm/preferenceScores.ts';
import type { LmLora } from '../models/hf/hfTypes.ts';
import type { PreparedRun } from '../session/task.ts';
import { tf, type Variable } from '../tf.ts';
import { commonResult } from '../train/trainLoop.ts';
import { countLmTrainable } from '../lora/hfPeftTargets.ts';
import { planRunMemory, sampleAnswers, startTrainables } from './lmRun.ts';
import type { LmTask } from './lmTask.ts';

/** A frozen copy of an adapter (the reference when a run starts from one). */
function frozenCopy(lora: LmLora): LmLora {
  return new Map([...lora].map(([path, ad]) => [path, { ...ad, A: tf.variable(ad.A, false), B: tf.variable(ad.B, false) }]));
}

export async function preparePreferenceRun(task: LmTask, config: LmTrainConfig, plan: TrainPlan): Promise<PreparedRun<LmTrainResult>> {
  const s = config.preference!;
  const loaded = task.requireModel();
  const { lm, tokenizer } = loaded;
  const prefs = task.requirePreferences();
  const { continuing, lora, full, params } = startTrainables(task, config, plan);
  // As a supervised run: refused before anything is allocated when even checkpointing would not fit, checkpointing when needed.
  const shape = { batch: config.batchSize, maxLength: prefs.summary.options.maxLength, trainableParams: countLmTrainable(lm.modules, plan), gradientCheckpointing: config.gradientCheckpointing, pairs: true };
  const memory = planRunMemory(task, shape);
  // The reference: what the run starts from, frozen. A fresh adapter starts at B = 0, so that is the base.
  const refLora = continuing && task.lora ? frozenCopy(task.lora) : undefined;
  const refFull = continuing && task.full.size > 0 ? new Map<string, Variable>([...task.full].map(([n, v]) => [n, tf.variable(v, false)])) : new Map<string, Variable>();
  const reference: ScoringModel = { lm: withWeights(lm, refFull), lora: refLora };
  const policy = { lm: withWeights(lm, full), lora };
  const padId = tokenizer.padId;
  // The validation pairs' reference never changes: computed once. Every pair's with precomputeRef.
  const usesRef = REFERENCE_LOSSES.has(s.loss);
  const refRows = usesRef ? (s.precomputeRef ? [...prefs.train, ...prefs.validation] : prefs.validation) : [];
  const referenceLogps = await completionLogps(reference, prefs.examples, refRows, padId, config.batchSize);
  const samples = sampleAnswers(task, policy.lm, lora, config.samplePrompts);
  const spec = preferenceLoopSpec({ policy, reference, params, examples: prefs.examples, padId, train: prefs.train, validation: prefs.validation, referenceLogps, recompute: memory.estimate.checkpointing }, config, s, samples);
  let kept = false;
  return {
    spec,
    async finish(outcome) {
      // The loss at the start (policy = reference): log 2 for DPO; the base's for the reference-free losses.
      let baseValidationLoss = Number.NaN;
      if (prefs.validation.length > 0) {
        baseValidationLoss = usesRef
          ? summarizePairs(await scorePairs(prefs.examples, prefs.validation, referenceLogps, referenceLogps, s), s).loss
          : (await scorePreferences(reference, null, prefs.examples, prefs.validation, padId, config.batchSize, s)).summary.loss;
      }
      if (outcome.steps > 0) {
        task.keepTrained(lora, full, plan, prefs);
        kept = true;
      }
      const last = outcome.lastEvaluation?.metrics;
      const validation = last?.metrics && Number.isFinite(last.validationLoss) ? ({ loss: last.validationLoss, ...last.metrics } as unknown as PreferenceMetrics) : null;
      return { task: 'lm', ...commonResult(outcome), baseValidationLoss, preference: { validation } };
    },
    dispose() {
      spec.dispose();
      if (refLora) disposeLmLora(refLora);
      disposeFull(refFull);
      if (kept) return;
      if (lora !== task.lora) disposeLmLora(lora);
      if (full !== task.full) disposeFull(full);
    },
  };
}
