/**
 * job.json: what an exported job (train.py) reads besides the data and the LoRA config. Plain data,
 * written from the tab's own settings so that the job reproduces the run: the model reference, the
 * hyperparameters under transformers' names, and how the data rows were made.
 */
import type { LmModelSource, LmTrainConfig } from '../api.ts';
import { parseHubId } from '../models/hf/hfHubIds.ts';

export interface JobModelRef {
  /** What the tab loaded, for a person. */
  name: string;
  /** A Hub id from_pretrained downloads (null: the model came from a folder or another server). */
  hub_id: string | null;
  revision: string | null;
  /** Where train.py looks first, relative to the job folder: copy the model folder there. */
  path: string;
  /** The folder the command line read the model from (absolute; absent from the studio). */
  local_path: string | null;
  /** The tab read this URL (not the Hub): download its files into `path`. */
  url: string | null;
}

export interface JobSpec {
  format: 'tabtune-job';
  version: 1;
  /** lm: the causal-LM loss on the masked tokens; dpo: a preference objective on chosen/rejected pairs. */
  task: 'lm' | 'dpo';
  /** dpo: the objective as TRL names it (sigmoid = DPO, ipo, hinge, robust, simpo, orpo). */
  preference: { loss: string; beta: number; label_smoothing: number; simpo_gamma: number } | null;
  model: JobModelRef;
  data: {
    train: string;
    validation: string;
    /**
     * Rows hold token ids as the tab tokenized them, so the masking is the tab's: lm rows
     * {input_ids, loss_mask}; dpo rows {chosen_ids, rejected_ids, prompt_length} (TRL's layout).
     */
    max_length: number;
    pad_token_id: number;
    packing: boolean;
    train_on_prompt: boolean;
    /** The dataset file the rows came from, its format, and the split that made them. */
    source: { name: string; format: string; validation_fraction: number; seed: number };
    train_rows: number;
    validation_rows: number;
  };
  /** transformers TrainingArguments names; per_device_train_batch_size is the tab's batch (one process = the tab's run). */
  hyperparameters: {
    learning_rate: number;
    lr_scheduler_type: 'cosine' | 'linear' | 'constant';
    warmup_steps: number;
    weight_decay: number;
    max_grad_norm: number;
    per_device_train_batch_size: number;
    gradient_accumulation_steps: number;
    max_steps: number;
    eval_steps: number;
    seed: number;
    adam_beta1: number;
    adam_beta2: number;
    adam_epsilon: number;
  };
  /** The LoRA config (PEFT's adapter_config.json) is in this folder, relative to the job. */
  lora_config: string;
  output_dir: string;
}

/** The model reference for the job: a Hub id when the tab downloaded one, else a folder to copy in. */
export function jobModelRef(source: LmModelSource, label: string, localPath: string | null): JobModelRef {
  const base: JobModelRef = { name: label, hub_id: null, revision: null, path: 'model', local_path: localPath, url: null };
  if (source.kind === 'hub') {
    const parsed = parseHubId(source.id);
    return { ...base, hub_id: parsed.id, revision: source.revision ?? parsed.revision ?? null };
  }
  if (source.kind === 'url') {
    try {
      const parsed = parseHubId(source.url);
      return { ...base, hub_id: parsed.id, revision: parsed.revision ?? null };
    } catch {
      return { ...base, url: source.url };
    }
  }
  return base;
}

/** The tab's settings under transformers' names (AdamW betas and epsilon as src/train/adamw.ts uses them). */
export function jobHyperparameters(config: LmTrainConfig): JobSpec['hyperparameters'] {
  const schedule = config.schedule ?? { kind: 'constant' as const };
  return {
    learning_rate: config.learningRate,
    lr_scheduler_type: schedule.kind,
    warmup_steps: schedule.kind === 'constant' ? 0 : Math.min(schedule.warmupSteps, config.steps),
    weight_decay: config.weightDecay,
    max_grad_norm: config.clipNorm ?? 0,
    per_device_train_batch_size: config.batchSize,
    gradient_accumulation_steps: config.gradAccumulation,
    max_steps: config.steps,
    eval_steps: config.evalEvery,
    seed: config.seed,
    adam_beta1: 0.9,
    adam_beta2: 0.999,
    adam_epsilon: 1e-8,
  };
}
