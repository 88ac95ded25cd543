/**
 * The job folder written for plans on the fixture families (tiny GPT-2 and tiny Llama by
 * transformers): job.json's hyperparameters, the LoRA config as the adapter writer writes it (ranks,
 * alphas, rsLoRA, fan_in_fan_out), and data lines that are the tab's rows of each split, in order.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LM_DATASET_OPTIONS, DEFAULT_LM_TRAIN_CONFIG, DEFAULT_PREFERENCE_DATASET_OPTIONS, DEFAULT_PREFERENCE_SETTINGS, type LmTrainConfig, type TrainPlan } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { adapterConfigFor, serializePeftConfig } from '../lora/hfPeftConfig.ts';
import { Session } from '../session/session.ts';
import { errorOf } from '../testing/errorOf.ts';
import { readFolder } from '../testing/readFolder.ts';
import { JOB_REQUIREMENTS } from './jobScripts.ts';
import type { JobSpec } from './jobSpec.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const SUMS = readFileSync(`${FIXTURES}job/sums.jsonl`, 'utf8');

const CONFIG: LmTrainConfig = {
  ...DEFAULT_LM_TRAIN_CONFIG,
  learningRate: 3e-4,
  batchSize: 3,
  gradAccumulation: 2,
  steps: 40,
  schedule: { kind: 'linear', warmupSteps: 5 },
  weightDecay: 0.01,
  clipNorm: 0.5,
  evalEvery: 10,
  seed: 11,
};

const text = (files: Record<string, Uint8Array>, path: string): string => strFromU8(files[path]!);

describe('exportJob', () => {
  let engine: Session;
  beforeEach(async () => {
    engine = new Session({ decodeImage: decodeImagePng });
    await engine.setBackend('cpu');
  });
  afterEach(() => engine.dispose());

  async function load(family: 'tiny-gpt2' | 'tiny-llama', validationFraction = 0.25) {
    const summary = await engine.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}hf-tiny/${family}/base`) });
    await engine.lmImportText('sums.jsonl', new Blob([SUMS]), { ...DEFAULT_LM_DATASET_OPTIONS, maxLength: 32, validationFraction, seed: 5 });
    return summary;
  }

  it.each([
    ['tiny-llama', 'model.layers.0.self_attn.q_proj', 'model.layers.1.self_attn.v_proj', false],
    ['tiny-gpt2', 'transformer.h.0.attn.c_attn', 'transformer.h.1.mlp.c_fc', true],
  ] as const)('%s: hyperparameters, the LoRA config and the data lines', async (family, first, second, fanInFanOut) => {
    const summary = await load(family);
    // Two ranks, one rsLoRA module with dropout: rank_pattern, alpha_pattern and use_rslora must carry them.
    const plan: TrainPlan = {
      [first]: { kind: 'lora', r: 4, alpha: 8, dropout: 0.1 },
      [second]: { kind: 'lora', r: 2, alpha: 2, rslora: true, dropout: 0.1 },
    };
    await engine.lmSetPlan(plan, CONFIG.batchSize, 32);
    const job = await engine.lmExportJob(CONFIG, { localModelPath: '/models/x' });
    expect(Object.keys(job.files).sort()).toEqual(
      ['README.md', 'accelerate.yaml', 'accelerate_fsdp.yaml', 'data/train.jsonl', 'data/validation.jsonl', 'job.json', 'launch.sh', 'lora/adapter_config.json', 'requirements.txt', 'train.py'].sort(),
    );

    const spec = JSON.parse(text(job.files, 'job.json')) as JobSpec;
    expect(spec.hyperparameters).toEqual({
      learning_rate: 3e-4,
      lr_scheduler_type: 'linear',
      warmup_steps: 5,
      weight_decay: 0.01,
      max_grad_norm: 0.5,
      per_device_train_batch_size: 3,
      gradient_accumulation_steps: 2,
      max_steps: 40,
      eval_steps: 10,
      seed: 11,
      adam_beta1: 0.9,
      adam_beta2: 0.999,
      adam_epsilon: 1e-8,
    });
    expect(spec.model).toEqual({ name: 'base', hub_id: null, revision: null, path: 'model', local_path: '/models/x', url: null });

    // The LoRA config is the adapter writer's, byte for byte, and says what the plan says.
    const { lm } = engine.lm.current();
    const written = text(job.files, 'lora/adapter_config.json');
    expect(written).toBe(serializePeftConfig(adapterConfigFor(plan, lm.modules, { arch: summary.architecture, baseModelNameOrPath: 'base' })));
    const lora = JSON.parse(written) as Record<string, unknown>;
    expect(lora).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 8, lora_dropout: 0.1, use_rslora: false, fan_in_fan_out: fanInFanOut, modules_to_save: null });
    // The rsLoRA module keeps its scale under plain LoRA (use_rslora false): alpha 2 at r 2 becomes 2 * sqrt(2).
    expect(lora.rank_pattern).toEqual({ [second]: 2 });
    expect(lora.alpha_pattern).toEqual({ [second]: 2 * Math.sqrt(2) });

    // Data lines: the tab's rows of each split, in the split's order, ids and masks as tokenized.
    const data = engine.lm.requireData();
    expect(spec.data).toMatchObject({ max_length: 32, train_rows: data.train.length, validation_rows: data.validation.length, pad_token_id: engine.lm.current().tokenizer.padId });
    for (const [file, rows] of [['data/train.jsonl', data.train], ['data/validation.jsonl', data.validation]] as const) {
      const lines = text(job.files, file).trimEnd().split('\n').map((l) => JSON.parse(l) as { input_ids: number[]; loss_mask: number[] });
      expect(lines).toHaveLength(rows.length);
      lines.forEach((line, i) => {
        const e = data.dataset.examples[rows[i]!]!;
        expect(line.input_ids).toEqual([...e.ids]);
        expect(line.loss_mask).toEqual([...e.mask]);
      });
    }
    // A prompt-completion line trains the completion and EOS only.
    const firstLine = JSON.parse(text(job.files, 'data/train.jsonl').split('\n')[0]!) as { loss_mask: number[] };
    expect(firstLine.loss_mask[0]).toBe(0);
    expect(firstLine.loss_mask.at(-1)).toBe(1);

    expect(text(job.files, 'requirements.txt').trim().split('\n').slice(1)).toEqual(JOB_REQUIREMENTS);
    expect(text(job.files, 'train.py')).toContain('get_peft_model');
    expect(text(job.files, 'launch.sh')).toMatch(/NUM_PROCESSES.*NUM_MACHINES.*MACHINE_RANK.*MAIN_PROCESS_IP.*MAIN_PROCESS_PORT/s);
    expect(text(job.files, 'accelerate_fsdp.yaml')).toContain('fsdp_state_dict_type: FULL_STATE_DICT');

    // The zip holds the same files in one folder named after the model.
    const unzipped = unzipSync(job.zip);
    expect(Object.keys(unzipped).sort()).toEqual(Object.keys(job.files).map((p) => `${job.name}/${p}`).sort());
    expect(unzipped[`${job.name}/job.json`]).toEqual(job.files['job.json']);
  });

  it('refuses a projection trained in full with a sentence', async () => {
    await load('tiny-llama');
    await engine.lmSetPlan({ 'model.layers.0.self_attn.q_proj': { kind: 'lora', r: 2, alpha: 4 }, 'model.layers.0.self_attn.k_proj': { kind: 'full' } }, 2, 32);
    const e = await errorOf(engine.lmExportJob(CONFIG));
    expect(e.message).toBe('module "model.layers.0.self_attn.k_proj" is trained in full, which a PEFT LoRA job cannot reproduce (the job\'s adapter holds LoRA weights only); plan it as LoRA or frozen before exporting the job, or train that run here.');
  });

  it('refuses a schedule with a minimum learning rate and an empty plan', async () => {
    await load('tiny-llama');
    await engine.lmSetPlan({ 'model.layers.0.self_attn.q_proj': { kind: 'lora', r: 2, alpha: 4 } }, 2, 32);
    const e = await errorOf(engine.lmExportJob({ ...CONFIG, schedule: { kind: 'cosine', warmupSteps: 2, minLrRatio: 0.1 } }));
    expect(e.message).toMatch(/minimum learning rate/);
    await engine.lmSetPlan({}, 2, 32);
    expect((await errorOf(engine.lmExportJob(CONFIG))).message).toMatch(/The plan trains nothing/);
  });

  it('a dpo job: the pairs as the tab tokenized them, the objective, and dpo.py', async () => {
    await engine.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}hf-tiny/tiny-llama/base`) });
    await engine.lmImportPreferences('prefs.jsonl', new Blob([readFileSync(`${FIXTURES}job/prefs.jsonl`, 'utf8')]), { ...DEFAULT_PREFERENCE_DATASET_OPTIONS, maxLength: 32, validationFraction: 0.25, seed: 3 });
    await engine.lmSetPlan({ 'model.layers.0.self_attn.q_proj': { kind: 'lora', r: 2, alpha: 4 } }, 2, 32);
    const preference = { ...DEFAULT_PREFERENCE_SETTINGS, loss: 'ipo' as const, beta: 0.2 };
    const job = await engine.lmExportJob({ ...CONFIG, preference });
    expect(Object.keys(job.files)).toContain('dpo.py');
    const spec = JSON.parse(text(job.files, 'job.json')) as JobSpec;
    expect(spec.task).toBe('dpo');
    expect(spec.preference).toEqual({ loss: 'ipo', beta: 0.2, label_smoothing: 0, simpo_gamma: 0.5 });
    const prefs = engine.lm.requirePreferences();
    expect(spec.data).toMatchObject({ train_rows: prefs.train.length, validation_rows: prefs.validation.length });
    const lines = text(job.files, 'data/train.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l) as { chosen_ids: number[]; rejected_ids: number[]; prompt_length: number });
    expect(lines).toHaveLength(prefs.train.length);
    lines.forEach((line, i) => {
      const e = prefs.examples[prefs.train[i]!]!;
      expect(line).toEqual({ chosen_ids: [...e.chosen], rejected_ids: [...e.rejected], prompt_length: e.promptLength });
    });
    expect(text(job.files, 'README.md')).toContain('ipo, beta 0.2');
  });
});
