/**
 * A job's output taken back: the output folder that train.py wrote on 2 CPU processes
 * (fixtures/job/tiny-llama-job, see its README) applies its adapter, whose logits are PEFT's, and
 * brings its loss history; folders that are not a job's output are refused naming what they lack.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetFile } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { causalLmLogits } from '../models/hf/causalLmLogits.ts';
import { Session } from '../session/session.ts';
import { errorOf } from '../testing/errorOf.ts';
import { readFolder } from '../testing/readFolder.ts';
import { tf, type Tensor2D } from '../tf.ts';
import { historyFromTrainerState } from './importJob.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const JOB = `${FIXTURES}job/tiny-llama-job/`;
const peft = JSON.parse(readFileSync(`${JOB}peft_logits.json`, 'utf8')) as { ids: number[][]; adapted: number[][][] };
const state = JSON.parse(readFileSync(`${JOB}output/trainer_state.json`, 'utf8')) as { log_history: Record<string, number>[] };

const without = (files: DatasetFile[], path: string): DatasetFile[] => files.filter((f) => f.path !== path);

describe('importJobOutput', () => {
  let engine: Session;
  beforeEach(async () => {
    engine = new Session({ decodeImage: decodeImagePng });
    await engine.setBackend('cpu');
    await engine.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}hf-tiny/tiny-llama/base`) });
  });
  afterEach(() => engine.dispose());

  it("applies the job's adapter (PEFT's logits within 1e-4) and returns its loss history", async () => {
    const back = await engine.lmImportJob(readFolder(`${JOB}output`));
    expect(back.worldSize).toBe(2);
    expect(back.steps).toBe(12);
    expect(Object.entries(back.plan).filter(([, m]) => m.kind === 'lora').map(([p]) => p).sort()).toEqual(['model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.v_proj', 'model.layers.1.self_attn.q_proj', 'model.layers.1.self_attn.v_proj']);
    expect(back.history.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(back.history.steps.at(-1)!.loss).toBeCloseTo(back.finalLoss, 6);
    expect(back.history.evals.map((e) => e.step)).toEqual([6, 12]);
    const { lm, lora } = engine.lm.current();
    for (const [i, ids] of peft.ids.entries()) {
      const out = tf.tidy(() => causalLmLogits(lm, tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32') as Tensor2D, { lora: lora ?? undefined }).logits.squeeze([0])); // [T, V]
      const rows = (await out.array()) as number[][];
      out.dispose();
      const diff = Math.max(...rows.flatMap((row, t) => row.map((v, j) => Math.abs(v - peft.adapted[i]![t]![j]!))));
      expect(diff).toBeLessThan(1e-4);
    }
    // The adapter can be exported again as a PEFT adapter, as any imported one.
    const again = await engine.lmExportAdapter();
    expect(Object.keys(again.files).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
  });

  it.each(['output/job_result.json', 'output/trainer_state.json', 'output/adapter/adapter_model.safetensors', 'output/adapter/adapter_config.json'])(
    'refuses a folder without %s, naming it, and keeps what was loaded',
    async (missing) => {
      const e = await errorOf(engine.lmImportJob(without(readFolder(`${JOB}output`), missing)));
      expect(e.code).toBe('job-output-missing');
      expect(e.message).toContain(`${missing} is missing`);
      expect(engine.lm.current().lora).toBeNull();
    },
  );

  it('refuses a plain adapter folder and a broken job_result.json with a sentence', async () => {
    const adapter = readFolder(`${FIXTURES}hf-tiny/tiny-llama/adapter`);
    expect((await errorOf(engine.lmImportJob(adapter))).message).toMatch(/not a job's output folder: output\/trainer_state\.json, output\/job_result\.json are missing/);
    const files = without(readFolder(`${JOB}output`), 'output/job_result.json');
    files.push({ path: 'output/job_result.json', file: new Blob(['{"world_size": 2, "steps": 12}']) });
    expect((await errorOf(engine.lmImportJob(files))).message).toBe('output/job_result.json has no number "final_loss"; take the job_result.json the job wrote.');
  });

  it("reads transformers' log_history: training losses and evaluations", () => {
    const h = historyFromTrainerState(state, 'trainer_state.json');
    expect(h.steps[0]).toEqual({ step: 1, loss: state.log_history[0]!.loss, learningRate: 0 });
    expect(h.evals[0]!.validationLoss).toBe(state.log_history.find((e) => 'eval_loss' in e)!.eval_loss);
  });
});

describe('historyFromTrainerState with a dpo job', () => {
  it("keeps TRL's metric names on steps and evaluations", () => {
    const h = historyFromTrainerState(
      { log_history: [{ step: 1, loss: 0.69, learning_rate: 0.01, 'rewards/margins': 0.05, 'rewards/accuracies': 0.5 }, { step: 1, eval_loss: 0.68, 'eval_rewards/accuracies': 0.75 }] },
      'trainer_state.json',
    );
    expect(h.steps).toEqual([{ step: 1, loss: 0.69, learningRate: 0.01, metrics: { 'rewards/margins': 0.05, 'rewards/accuracies': 0.5 } }]);
    expect(h.evals).toEqual([{ step: 1, validationLoss: 0.68, metrics: { 'rewards/accuracies': 0.75 } }]);
  });
});
