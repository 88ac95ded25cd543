/**
 * `tabtune export-job` in-process through main(): the job folder on disk (launch.sh executable,
 * job.json naming the model folder) and one-line refusals with their exit codes.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'tabtune-job-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const lines = { out: [] as string[], err: [] as string[] };
  // In this process, as every unit test: one WASM thread (the default, all cores, is for users).
  const code = await main([...args, '--threads', '1'], { out: (l) => lines.out.push(l), err: (l) => lines.err.push(l) });
  return { code, ...lines };
}

describe('tabtune export-job', () => {
  it('writes the job folder for the flags of train --task lm', async () => {
    const model = join(ROOT, 'fixtures/hf-tiny/tiny-gpt2/base');
    const r = await run(['export-job', '--task', 'lm', '--model', model, '--data', join(ROOT, 'fixtures/job/sums.jsonl'), '--out', out, '--lora-r', '2', '--steps', '7', '--grad-accum', '3']);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(statSync(join(out, 'launch.sh')).mode & 0o111).not.toBe(0);
    const spec = JSON.parse(readFileSync(join(out, 'job.json'), 'utf8')) as { model: { local_path: string }; hyperparameters: Record<string, number> };
    expect(spec.model.local_path).toBe(model);
    expect(spec.hyperparameters).toMatchObject({ max_steps: 7, gradient_accumulation_steps: 3 });
    expect(JSON.parse(readFileSync(join(out, 'lora/adapter_config.json'), 'utf8'))).toMatchObject({ r: 2, target_modules: ['c_attn'], fan_in_fan_out: true });
  });

  it('refuses an unknown task and a folder that is not a job output, in one line', async () => {
    const bad = await run(['export-job', '--task', 'rl', '--model', 'x', '--data', 'y', '--out', out]);
    expect(bad).toMatchObject({ code: 2, err: ['tabtune: --task rl: export-job takes lm or dpo.'] });
    // The flags of train, checked as train checks them.
    const storage = await run(['export-job', '--task', 'lm', '--model', join(ROOT, 'fixtures/hf-tiny/tiny-gpt2/base'), '--data', join(ROOT, 'fixtures/job/sums.jsonl'), '--out', join(out, 'ws'), '--weight-storage', 'half']);
    expect(storage.code).toBe(2);
    expect(storage.err).toEqual([expect.stringMatching(/^tabtune: --weight-storage half: use auto/)]);
    // An output folder whose trainer_state.json is gone: logits --adapter takes it as a job's output and names the file.
    const partial = join(out, 'partial');
    cpSync(join(ROOT, 'fixtures/job/tiny-llama-job/output'), partial, { recursive: true });
    rmSync(join(partial, 'trainer_state.json'));
    const notJob = await run(['logits', '--model', join(ROOT, 'fixtures/hf-tiny/tiny-llama/base'), '--adapter', partial, '--ids', '1,2']);
    expect(notJob.code).toBe(1);
    expect(notJob.err).toEqual([expect.stringMatching(/^tabtune: This is not a job's output folder: output\/trainer_state\.json is missing\./)]);
  });
});
