/**
 * `tabtune train --task dpo` and `tabtune eval --task dpo` as child processes (WASM): eval prints
 * TRL's numbers for fixtures/dpo; train writes a PEFT adapter that prefers the chosen answers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { PreferenceEvaluation } from '../api.ts';
import { readSafetensors } from '../export/safetensors.ts';
import { piratePairsJsonl } from '../testing/piratePairs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LLAMA = join(ROOT, 'fixtures/hf-tiny/tiny-llama');
const TMP = mkdtempSync(join(tmpdir(), 'tabtune-dpo-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** The cases run side by side on a 2-core machine: one WASM thread each, unless a case asks for more. */
const oneThreadUnlessAsked = (args: string[]): string[] => (args.includes('--threads') ? args : [...args, '--threads', '1']);

function tabtune(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/tabtune.mjs'), ...oneThreadUnlessAsked(args)], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe.concurrent('tabtune --task dpo', () => {
  it('eval prints TRL summary and pairs for the fixture (within 1e-4)', async () => {
    const run = await tabtune('eval', '--task', 'dpo', '--model', join(LLAMA, 'base'), '--adapter', join(LLAMA, 'adapter'), '--data', join(ROOT, 'fixtures/dpo/prefs.jsonl'), '--max-len', '64');
    expect(run.code, run.stderr).toBe(0);
    const ours = JSON.parse(run.stdout) as PreferenceEvaluation;
    const ref = JSON.parse(readFileSync(join(ROOT, 'fixtures/dpo/tiny-llama-reference.json'), 'utf8')) as PreferenceEvaluation;
    for (const [key, value] of Object.entries(ref.summary)) expect(Math.abs((ours.summary as unknown as Record<string, number>)[key]! - value), key).toBeLessThan(1e-4);
    ref.pairs.forEach((p, i) => {
      for (const [key, value] of Object.entries(p)) expect(Math.abs((ours.pairs[i] as unknown as Record<string, number>)[key]! - value), `${i} ${key}`).toBeLessThan(1e-4);
    });
  });

  it('train writes a PEFT adapter and metrics.json with TRL metric names; eval then prefers the chosen answers', async () => {
    const data = join(TMP, 'pairs.jsonl');
    writeFileSync(data, piratePairsJsonl());
    const out = join(TMP, 'dpo');
    const run = await tabtune('train', '--task', 'dpo', '--model', join(LLAMA, 'base'), '--data', data, '--out', out, '--steps', '8', '--lr', '0.01', '--lora-r', '4', '--max-len', '32', '--val-split', '0.2', '--beta', '0.1');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/skipped: Line 4: chosen and rejected are the same/);
    // The estimate before the run is the preference run's (pairs: chosen and rejected sequences, the reference pass).
    expect(run.stdout).toMatch(/^memory: about [\d.]+ (kB|MB|GB) at the peak of a step/m);
    const config = JSON.parse(readFileSync(join(out, 'adapter/adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', r: 4, target_modules: ['q_proj', 'v_proj'] });
    const adapter = readSafetensors(readFileSync(join(out, 'adapter/adapter_model.safetensors')));
    expect(adapter.tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight')?.shape).toEqual([32, 4]);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.steps).toHaveLength(8);
    expect(Object.keys(metrics.steps[0].metrics).sort()).toEqual(['logps/chosen', 'logps/rejected', 'rewards/accuracies', 'rewards/chosen', 'rewards/margins', 'rewards/rejected']);
    expect(metrics.final.validation['rewards/accuracies']).toBe(1);
    expect(metrics.final.validation.loss).toBeLessThan(Math.LN2);
    const scored = await tabtune('eval', '--task', 'dpo', '--model', join(LLAMA, 'base'), '--adapter', join(out, 'adapter'), '--data', data, '--max-len', '32');
    expect(scored.code, scored.stderr).toBe(0);
    expect(JSON.parse(scored.stdout).summary['rewards/accuracies']).toBe(1);
  });

  it('refuses a bad loss and a missing file in one line', async () => {
    const [loss, missing] = await Promise.all([
      tabtune('train', '--task', 'dpo', '--model', join(LLAMA, 'base'), '--data', 'x.jsonl', '--out', join(TMP, 'never'), '--loss', 'kto'),
      tabtune('eval', '--task', 'dpo', '--model', join(LLAMA, 'base'), '--data', join(TMP, 'nope.jsonl')),
    ]);
    expect(loss.code).toBe(2);
    expect(loss.stderr.trim()).toMatch(/^tabtune: --loss kto: use one of sigmoid, ipo, hinge, robust, simpo, orpo\.$/);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/nope\.jsonl: no such file/);
  });
});
