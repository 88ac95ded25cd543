/**
 * Setting up a language-model run for the one training loop: LoRA adapters and trainable copies of
 * fully trained projections, the causal-LM loss on completions (lmLoopSpec), and sample generations
 * at each evaluation. Starting from the last run's adapter (same plan) continues it.
 */
import type { LmTrainConfig, LmTrainResult, TrainPlan } from '../api.ts';
import { deviceLimits } from '../backend/deviceLimits.ts';
import { createRng } from '../data/rng.ts';
import { EngineError } from '../errors.ts';
import { createLmLora, disposeLmLora } from '../lm/createLmLora.ts';
import { generateText } from '../lm/generateText.ts';
import { lmLoopSpec } from '../lm/lmLoopSpec.ts';
import { checkLmMemory, planLmMemory, type LmMemoryPlan, type LmRunShape } from '../lm/lmMemoryPlan.ts';
import { countLmTrainable } from '../lora/hfPeftTargets.ts';
import { formatBytes } from '../models/hf/hfMemory.ts';
import { planParams, validateLmPlan } from '../lm/lmPlanSummary.ts';
import { lmValidationLoss } from '../lm/lmValidation.ts';
import { disposeFull, fullCopies, withWeights } from '../lm/lmWeights.ts';
import type { HfCausalLm, LmLora } from '../models/hf/hfTypes.ts';
import type { PreparedRun } from '../session/task.ts';
import { commonResult } from '../train/trainLoop.ts';
import { promptIds } from './lmTry.ts';
import type { LmTask } from './lmTask.ts';

/** Tokens of each sample generation at an evaluation. */
const SAMPLE_TOKENS = 24;

/**
 * What a language-model run trains, for every objective: the plan checked against the model, then
 * the last run's adapter and full copies when the run continues it (same plan), else fresh ones,
 * with AdamW's parameter list (no decay on biases).
 */
export function startTrainables(task: LmTask, config: LmTrainConfig, plan: TrainPlan) {
  const { lm } = task.requireModel();
  validateLmPlan(lm, plan);
  const hasLora = Object.values(plan).some((m) => m.kind === 'lora');
  const hasFull = Object.values(plan).some((m) => m.kind === 'full');
  if (!hasLora && !hasFull) throw new EngineError('lora-plan-invalid', 'The plan trains nothing: put LoRA on at least one projection (for example the PEFT defaults), or train one in full.');
  const continuing = Boolean(config.continueFromLastRun && (task.lora || task.full.size > 0) && JSON.stringify(task.loraPlan) === JSON.stringify(plan));
  const lora = continuing && task.lora ? task.lora : createLmLora(plan, lm.modules, createRng(config.seed ^ 0x5bd1e995));
  const full = continuing ? task.full : fullCopies(lm, plan);
  const params = [...planParams(lora), ...[...full].map(([name, variable]) => ({ variable, decay: !name.endsWith('.bias') }))];
  return { continuing, lora, full, params };
}

/** Greedy sample answers to the run's sample prompts (at most 4), shown at each evaluation. */
export function sampleAnswers(task: LmTask, model: HfCausalLm, lora: LmLora, prompts: string[]) {
  const loaded = task.requireModel();
  const { tokenizer } = loaded;
  return async () => {
    const out = [];
    for (const prompt of prompts.slice(0, 4)) {
      const ids = promptIds(tokenizer, prompt, tokenizer.chatTemplateSource !== 'default');
      const g = await generateText(model, tokenizer, ids, { maxNewTokens: SAMPLE_TOKENS, temperature: 0, topK: 0, topP: 1, seed: 0, lora, stopIds: loaded.stopIds });
      out.push({ prompt, text: g.text });
    }
    return out;
  };
}

/**
 * The memory plan of a run (supervised or preference), checked before anything is allocated: refused
 * in one sentence when even gradient checkpointing would not fit; checkpointing turned on, and said
 * so, when the estimate needs it.
 */
export function planRunMemory(task: LmTask, shape: LmRunShape): LmMemoryPlan {
  const backend = task.context.backendName();
  const memory = planLmMemory(task.requireModel().lm.config, task.requireModel().summary.totalParams, shape, backend, deviceLimits());
  checkLmMemory(memory, backend, shape);
  if (memory.auto)
    task.context.emit({ type: 'log', level: 'info', message: `Gradient checkpointing is on: without it this run would need about ${formatBytes(memory.plainBytes)}, more than the ${formatBytes(memory.budget!)} this backend can hold.` });
  return memory;
}

export async function prepareLmRun(task: LmTask, config: LmTrainConfig, plan: TrainPlan): Promise<PreparedRun<LmTrainResult>> {
  const loaded = task.requireModel();
  const { lm, tokenizer } = loaded;
  const data = task.requireData();
  const { lora, full, params } = startTrainables(task, config, plan);
  const trainLm = withWeights(lm, full);
  const rows = { examples: data.dataset.examples, maxLength: data.summary.options.maxLength, padId: tokenizer.padId };
  // Refused before anything is allocated when even gradient checkpointing would not fit.
  const shape = { weightBytes: loaded.summary.weightBytes, batch: config.batchSize, maxLength: rows.maxLength, trainableParams: countLmTrainable(lm.modules, plan), gradientCheckpointing: config.gradientCheckpointing };
  const memory = planRunMemory(task, shape);
  const samples = sampleAnswers(task, trainLm, lora, config.samplePrompts);
  let kept = false;
  return {
    spec: lmLoopSpec({ lm: trainLm, lora, params, train: data.train, validation: data.validation, ...rows, recompute: memory.estimate.checkpointing }, config, samples),
    async finish(outcome) {
      const baseValidationLoss = data.validation.length > 0 ? await lmValidationLoss(lm, undefined, rows, data.validation, config.batchSize) : Number.NaN;
      if (outcome.steps > 0) {
        task.keepTrained(lora, full, plan, data);
        kept = true;
      }
      return {
        task: 'lm',
        ...commonResult(outcome),
        baseValidationLoss,
      };
    },
    dispose() {
      if (kept) return;
      if (lora !== task.lora) disposeLmLora(lora);
      if (full !== task.full) disposeFull(full);
    },
  };
}
