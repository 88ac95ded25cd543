/**
 * "Run on a cluster": the loaded language model, dataset, plan and settings as a job folder that
 * Accelerate + PEFT run on many GPUs and machines (train.py, launch.sh, accelerate yamls, README),
 * with the data exactly as the tab split and tokenized it and the plan as PEFT's LoraConfig,
 * written by the same adapter_config.json writer as the adapter export.
 */
import { strToU8, zipSync } from 'fflate';
import type { LmExport, LmTrainConfig } from '../api.ts';
import { EngineError } from '../errors.ts';
import { slug } from '../lm/lmWeights.ts';
import { adapterConfigFor, serializePeftConfig } from '../lora/hfPeftConfig.ts';
import type { LmTask } from '../tasks/lmTask.ts';
import { validateTrainConfig } from '../train/validateTrainConfig.ts';
import { jobDataLines, jobPairLines } from './jobData.ts';
import { jobReadme } from './jobReadme.ts';
import { ACCELERATE_FSDP_YAML, ACCELERATE_YAML, LAUNCH_SH, REQUIREMENTS_TXT } from './jobScripts.ts';
import { jobHyperparameters, jobModelRef, type JobSpec } from './jobSpec.ts';
import { DPO_PY } from './dpoPy.ts';
import { TRAIN_PY } from './trainPy.ts';

export interface ExportJobOptions {
  /** The model folder on this machine (the command line knows it; the studio does not). */
  localModelPath?: string | null;
}

/** Every file of the job folder by its path in the folder, and the folder zipped. */
export function exportJob(task: LmTask, config: LmTrainConfig, options: ExportJobOptions = {}): LmExport {
  const { lm, label, source } = task.requireModel();
  validateTrainConfig(config);
  const data = jobRows(task, config);
  if (config.schedule && config.schedule.kind !== 'constant' && (config.schedule.minLrRatio ?? 0) > 0) {
    throw new EngineError('job-unsupported', 'The schedule decays to a minimum learning rate, which the job\'s transformers schedules do not take; set the minimum to 0 before exporting the job.');
  }
  if (data.train === 0) throw new EngineError('dataset-too-small', 'The training split is empty: lower the validation fraction before exporting the job.');
  const plan = task.currentPlan();
  if (Object.keys(plan).length === 0) throw new EngineError('lora-plan-invalid', 'The plan trains nothing: put LoRA on at least one projection (for example the PEFT defaults) before exporting the job.');
  const full = Object.entries(plan).find(([, m]) => m.kind === 'full');
  if (full) {
    throw new EngineError(
      'job-unsupported',
      `module "${full[0]}" is trained in full, which a PEFT LoRA job cannot reproduce (the job's adapter holds LoRA weights only); plan it as LoRA or frozen before exporting the job, or train that run here.`,
    );
  }
  const model = jobModelRef(source, label, options.localModelPath ?? null);
  // The same writer as the adapter export: the job trains what the tab's adapter would hold.
  const lora = adapterConfigFor(plan, lm.modules, { arch: lm.config.architecture, baseModelNameOrPath: model.hub_id ?? label });
  const p = config.preference;
  const spec: JobSpec = {
    format: 'tabtune-job',
    version: 1,
    task: p ? 'dpo' : 'lm',
    preference: p ? { loss: p.loss, beta: p.beta, label_smoothing: p.labelSmoothing, simpo_gamma: p.gamma } : null,
    model,
    data: {
      train: 'data/train.jsonl',
      validation: 'data/validation.jsonl',
      max_length: data.maxLength,
      pad_token_id: task.requireModel().tokenizer.padId,
      packing: data.packing,
      train_on_prompt: data.trainOnPrompt,
      source: data.source,
      train_rows: data.train,
      validation_rows: data.validation,
    },
    hyperparameters: jobHyperparameters(config),
    lora_config: 'lora',
    output_dir: 'output',
  };
  const targets = Array.isArray(lora.target_modules) ? lora.target_modules.join(', ') : `modules matching ${lora.target_modules}`;
  const patterns = Object.keys(lora.rank_pattern).length + Object.keys(lora.alpha_pattern).length > 0 ? ', per-module ranks and alphas in rank_pattern / alpha_pattern' : '';
  const loraSummary = `r ${lora.r}, alpha ${lora.lora_alpha}, dropout ${lora.lora_dropout}${lora.use_rslora ? ', rsLoRA' : ''} on ${targets}${patterns}${lora.fan_in_fan_out ? ' (fan_in_fan_out: GPT-2 Conv1D)' : ''}`;
  const text: Record<string, string> = {
    'job.json': `${JSON.stringify(spec, null, 2)}\n`,
    'lora/adapter_config.json': serializePeftConfig(lora),
    'data/train.jsonl': data.lines('train'),
    'data/validation.jsonl': data.lines('validation'),
    'train.py': TRAIN_PY,
    ...(p ? { 'dpo.py': DPO_PY } : {}),
    'launch.sh': LAUNCH_SH,
    'accelerate.yaml': ACCELERATE_YAML,
    'accelerate_fsdp.yaml': ACCELERATE_FSDP_YAML,
    'requirements.txt': REQUIREMENTS_TXT,
    'README.md': jobReadme(spec, loraSummary),
  };
  const files = Object.fromEntries(Object.entries(text).map(([path, t]) => [path, strToU8(t)]));
  const name = `${slug(label)}-job`;
  // launch.sh keeps its execute bit in the zip (unzip honours the Unix mode in the external attributes).
  const zipped = Object.fromEntries(Object.entries(files).map(([path, bytes]) => [`${name}/${path}`, path === 'launch.sh' ? ([bytes, { os: 3, attrs: 0o100755 << 16 }] as const) : bytes]));
  return { name, files, zip: zipSync(zipped as Parameters<typeof zipSync>[0], { level: 6 }) };
}

/** The rows the job trains on: the text dataset (lm) or the preference pairs (dpo), as split here. */
function jobRows(task: LmTask, config: LmTrainConfig) {
  if (config.preference) {
    const prefs = task.requirePreferences();
    const o = prefs.summary.options;
    return {
      maxLength: o.maxLength,
      packing: false,
      trainOnPrompt: false,
      source: { name: prefs.summary.name, format: prefs.summary.format, validation_fraction: o.validationFraction, seed: o.seed },
      train: prefs.train.length,
      validation: prefs.validation.length,
      lines: (split: 'train' | 'validation') => jobPairLines(prefs.examples, prefs[split]),
    };
  }
  const data = task.requireData();
  const o = data.summary.options;
  return {
    maxLength: o.maxLength,
    packing: o.packing,
    trainOnPrompt: o.trainOnPrompt,
    source: { name: data.summary.name, format: data.summary.format, validation_fraction: o.validationFraction, seed: o.seed },
    train: data.train.length,
    validation: data.validation.length,
    lines: (split: 'train' | 'validation') => jobDataLines(data.dataset.examples, data[split]),
  };
}
