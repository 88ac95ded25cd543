/**
 * The real `tabtune` command as a child process (node bin/tabtune.mjs), on the built-in model and the
 * sample dataset, WASM backend. Runs concurrently: each case is its own process.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../export/safetensors.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = join(ROOT, 'public/models/shapes-cnn');
const SAMPLE = join(ROOT, 'public/datasets/shapes-sample');
const TMP = mkdtempSync(join(tmpdir(), 'tabtune-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The cases run side by side on a 2-core machine: one WASM thread each, unless a case asks for more. */
const oneThreadUnlessAsked = (args: string[]): string[] => (args.includes('--threads') ? args : [...args, '--threads', '1']);

function tabtune(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/tabtune.mjs'), ...oneThreadUnlessAsked(args)], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** One line on stderr, no stack frames. */
function expectOneLineError(run: Run, pattern: RegExp): void {
  expect(run.code).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/^\s*at /m);
}

describe.concurrent('tabtune command line', () => {
  it('inspects a model folder, in words and as JSON', async () => {
    const [text, json] = await Promise.all([tabtune('inspect', MODEL), tabtune('inspect', join(MODEL, 'model.json'), '--json')]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toBe('');
    for (const name of ['conv1', 'pool1', 'conv2', 'conv3', 'gap', 'embedding']) expect(text.stdout).toContain(name);
    expect(text.stdout).toMatch(/conv3\s+Conv2D\s+\[8, 8, 64\]\s+18,496\s+yes/);
    expect(text.stdout).toContain('27,744 parameters');
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.model.featureLayer).toBe('embedding');
    expect(parsed.model.inputShape).toEqual([32, 32, 3]);
    expect(parsed.model.layers.map((l: { name: string }) => l.name)).toContain('conv3');
  });

  it('inspects an image folder, listing a non-PNG image and a stray file as issues', async () => {
    const dir = join(TMP, 'mixed');
    for (const c of ['heart', 'star']) {
      mkdirSync(join(dir, c), { recursive: true });
      for (const f of ['000', '001', '002']) copyFileSync(join(SAMPLE, c, `${c}-${f}.png`), join(dir, c, `${f}.png`));
    }
    writeFileSync(join(dir, 'star', 'photo.jpg'), Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
    writeFileSync(join(dir, 'star', 'notes.txt'), 'hello');
    const [sample, mixed] = await Promise.all([tabtune('inspect', SAMPLE, '--json'), tabtune('inspect', dir)]);
    expect(sample.code, sample.stderr).toBe(0);
    const summary = JSON.parse(sample.stdout).dataset;
    expect(summary.total).toBe(96);
    expect(summary.classes.map((c: { name: string; count: number }) => `${c.name}:${c.count}`)).toEqual(['heart:24', 'ring:24', 'star:24', 'zigzag:24']);
    expect(mixed.code, mixed.stderr).toBe(0);
    expect(mixed.stdout).toMatch(/heart\s+3/);
    expect(mixed.stdout).toMatch(/photo\.jpg.*JPEG.*PNG only/);
    expect(mixed.stdout).toMatch(/notes\.txt.*not an image/);
  });

  it('inspects a CSV: columns, label, classes and bad rows by line', async () => {
    const csv = join(TMP, 'iris.csv');
    const rows = ['sepal,petal,color,species'];
    for (let i = 0; i < 12; i++) rows.push(`${(4 + i * 0.1).toFixed(1)},${(1 + (i % 4)).toFixed(1)},${i % 2 ? 'red' : 'blue'},${i % 3 === 0 ? 'setosa' : 'virginica'}`);
    rows.push('5.1,1.0,red,', '5.0,1.0,red');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const [text, json] = await Promise.all([tabtune('inspect', csv), tabtune('inspect', csv, '--json')]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/label "species": classification/);
    expect(text.stdout).toMatch(/Line 14/);
    expect(text.stdout).toMatch(/Line 15/);
    const summary = JSON.parse(json.stdout).dataset;
    expect(summary.rowsInFile).toBe(14);
    expect(summary.total).toBe(12);
    expect(summary.classes.map((c: { name: string }) => c.name)).toEqual(['setosa', 'virginica']);
  });

  it('fails on a bad path, a corrupt model.json and a truncated weights file with one line', async () => {
    const corrupt = join(TMP, 'corrupt');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, 'model.json'), '{"modelTopology": ');
    const truncated = join(TMP, 'truncated');
    mkdirSync(truncated);
    copyFileSync(join(MODEL, 'model.json'), join(truncated, 'model.json'));
    writeFileSync(join(truncated, 'weights.bin'), readFileSync(join(MODEL, 'weights.bin')).subarray(0, 1000));
    const missing = join(TMP, 'missing');
    mkdirSync(missing);
    copyFileSync(join(MODEL, 'model.json'), join(missing, 'model.json'));
    const [bad, badJson, short, gone, usage] = await Promise.all([
      tabtune('inspect', join(TMP, 'no-such-thing')),
      tabtune('inspect', corrupt),
      tabtune('inspect', truncated),
      tabtune('train', '--model', missing, '--data', SAMPLE, '--out', join(TMP, 'never')),
      tabtune('train', '--model', MODEL),
    ]);
    const threads = await tabtune('train', '--model', MODEL, '--data', SAMPLE, '--out', join(TMP, 'never'), '--threads', '0');
    expect(threads.code).toBe(2);
    expect(threads.stderr.trim()).toBe('tabtune: --threads 0: expected a whole number above 0.');
    expectOneLineError(bad, /no-such-thing: no such file or folder/);
    expectOneLineError(badJson, /model\.json: not valid JSON/);
    expectOneLineError(short, /"weights\.bin" hold 1000 bytes, but model\.json's weights need 113056/);
    expectOneLineError(gone, /missing\/model\.json: weights file "weights\.bin" listed in model\.json is missing/);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('trains head-only for 2 epochs and writes metrics, head and merged model', async () => {
    const out = join(TMP, 'head');
    const run = await tabtune('train', '--model', MODEL, '--data', SAMPLE, '--out', out, '--epochs', '2', '--head-only');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(/^epoch \d\/2 /gm)).toHaveLength(2);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.backend).toBe('wasm');
    expect(metrics.plan).toEqual({});
    expect(metrics.epochs).toHaveLength(2);
    expect(metrics.steps.length).toBe(metrics.epochs[1].step);
    expect(Object.keys(metrics.steps[0]).sort()).toEqual(['epoch', 'learningRate', 'loss', 'step']);
    expect(Object.keys(metrics.final).sort()).toEqual(['trainLoss', 'validationAccuracy', 'validationLoss']);
    expect(readSafetensors(readFileSync(join(out, 'head.safetensors'))).tensors.get('head.weight')?.shape).toEqual([4, 64]);
    expect(JSON.parse(readFileSync(join(out, 'merged/model.json'), 'utf8')).modelTopology).toBeTruthy();
    expect(JSON.parse(readFileSync(join(out, 'tabtune.json'), 'utf8'))).toBeTruthy();
  });

  it('trains LoRA on conv3 and embedding for 2 epochs and writes the PEFT adapter', async () => {
    const out = join(TMP, 'lora');
    const run = await tabtune('train', '--model', MODEL, '--data', SAMPLE, '--out', out, '--epochs', '2', '--lora-r', '2', '--lora-targets', 'conv3,embedding', '--lora-dropout', '0.1', '--rslora');
    expect(run.code, run.stderr).toBe(0);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    const mode = { kind: 'lora', r: 2, alpha: 4, dropout: 0.1, rslora: true };
    expect(metrics.plan).toEqual({ conv3: mode, embedding: mode });
    expect(metrics.epochs).toHaveLength(2);
    const adapter = readSafetensors(readFileSync(join(out, 'adapter/adapter_model.safetensors')));
    for (const layer of ['conv3', 'embedding']) {
      for (const ab of ['lora_A', 'lora_B']) expect(adapter.tensors.has(`base_model.model.${layer}.${ab}.weight`)).toBe(true);
    }
    const config = JSON.parse(readFileSync(join(out, 'adapter/adapter_config.json'), 'utf8'));
    expect([...config.target_modules].sort()).toEqual(['conv3', 'embedding']);
    expect(config.lora_dropout).toBe(0.1);
    expect(config.use_rslora).toBe(true);
    expect(readFileSync(join(out, 'merged/weights.bin')).length).toBeGreaterThan(100_000);
  });

  it('trains on a CSV: an MLP built for the table, classification by default and regression on another column', async () => {
    const csv = join(ROOT, 'public/datasets/plants-sample.csv');
    const [cls, reg, bad] = await Promise.all([
      tabtune('train', '--data', csv, '--out', join(TMP, 'plants-cls'), '--epochs', '3', '--batch', '32'),
      tabtune('train', '--data', csv, '--out', join(TMP, 'plants-reg'), '--epochs', '3', '--batch', '32', '--label', 'yield_g', '--hidden', '16'),
      tabtune('train', '--data', csv, '--out', join(TMP, 'never'), '--label', 'no_such_column'),
    ]);
    expect(cls.code, cls.stderr).toBe(0);
    expect(cls.stdout).toMatch(/MLP 10 → 64 → 32, table plants-sample: 600 rows \(0 skipped\), 10 features, 3 classes of "species"/);
    expect(cls.stdout).toMatch(/epoch 3\/3 .* val acc/);
    const metrics = JSON.parse(readFileSync(join(TMP, 'plants-cls', 'metrics.json'), 'utf8'));
    // the MLP is not pre-trained, so with no plan flags its layers train
    expect(metrics.plan).toEqual({ dense_1: { kind: 'full' }, dense_2: { kind: 'full' } });
    expect(metrics.classes).toEqual(['cactus', 'fern', 'sunflower']);
    expect(JSON.parse(readFileSync(join(TMP, 'plants-cls', 'tabtune.json'), 'utf8')).preprocessing.encoder.featureNames).toHaveLength(10);

    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stdout).toMatch(/regression on "yield_g"/);
    expect(reg.stdout).toMatch(/epoch 3\/3 .* val rmse \d/);
    const regMetrics = JSON.parse(readFileSync(join(TMP, 'plants-reg', 'metrics.json'), 'utf8'));
    expect(regMetrics.final.validationRmse).toBeGreaterThan(0);
    expect(regMetrics.final.validationR2).toBeLessThanOrEqual(1);
    expect(readSafetensors(readFileSync(join(TMP, 'plants-reg', 'head.safetensors'))).tensors.get('head.weight')?.shape).toEqual([1, 16]);

    expectOneLineError(bad, /no_such_column/);
  });

  it('prints the logits of a Hugging Face model with a PEFT adapter as transformers + PEFT computed them', async () => {
    const fixtures = join(ROOT, 'fixtures/hf-tiny/tiny-gpt2');
    const reference = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8'));
    const ids = reference.ids[0] as number[];
    const [base, adapted, bad] = await Promise.all([
      tabtune('logits', '--model', join(fixtures, 'base'), '--ids', ids.join(',')),
      tabtune('logits', '--model', join(fixtures, 'base'), '--adapter', join(fixtures, 'adapter'), '--ids', ids.join(',')),
      tabtune('logits', '--model', join(fixtures, 'base'), '--ids', '1,999'),
    ]);
    for (const [run, want] of [[base, reference.base[0]], [adapted, reference.adapted[0]]] as const) {
      expect(run.code, run.stderr).toBe(0);
      const got = JSON.parse(run.stdout).logits as number[][];
      expect(got).toHaveLength(ids.length);
      expect(got[0]).toHaveLength(300);
      const diff = Math.max(...got.flatMap((row, i) => row.map((v, j) => Math.abs(v - want[i][j]))));
      expect(diff).toBeLessThan(1e-4);
    }
    expectOneLineError(bad, /token id 999 is outside the vocabulary/);
  });

  it('prints the adapted logits of every new family (qwen3, llama3 rope, phi3, smollm3, sliding mistral) as transformers + PEFT, and refuses an unsupported config with one line naming the field', async () => {
    const families = ['qwen3', 'llama3-rope', 'phi3', 'smollm3', 'mistral-sliding'];
    const runs = await Promise.all(
      families.map((family) => {
        const fixtures = join(ROOT, 'fixtures/hf-families', family);
        const ids = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8')).ids[0] as number[];
        return tabtune('logits', '--model', join(fixtures, 'base'), '--adapter', join(fixtures, 'adapter'), '--ids', ids.join(','));
      }),
    );
    runs.forEach((run, k) => {
      const reference = JSON.parse(readFileSync(join(ROOT, 'fixtures/hf-families', families[k]!, 'reference.json'), 'utf8'));
      expect(run.code, run.stderr).toBe(0);
      const got = JSON.parse(run.stdout).logits as number[][];
      const diff = Math.max(...got.flatMap((row, i) => row.map((v, j) => Math.abs(v - reference.adapted[0][i][j]))));
      expect(diff, families[k]).toBeLessThan(1e-4);
    });
    const bad = join(TMP, 'mrope');
    mkdirSync(bad);
    const base = join(ROOT, 'fixtures/hf-families/qwen3/base');
    copyFileSync(join(base, 'model.safetensors'), join(bad, 'model.safetensors'));
    copyFileSync(join(base, 'tokenizer.json'), join(bad, 'tokenizer.json'));
    const config = JSON.parse(readFileSync(join(base, 'config.json'), 'utf8'));
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ ...config, rope_parameters: { rope_type: 'mrope', rope_theta: 10000 } }));
    expectOneLineError(await tabtune('logits', '--model', bad, '--ids', '1,2'), /mrope\/config\.json: rope_type "mrope" is not supported/);
  }, 240_000);

  it('trains LoRA on phi3 with PEFT\'s default targets, the fused qkv_proj and gate_up_proj among them', async () => {
    const data = join(TMP, 'phi3.jsonl');
    writeFileSync(data, Array.from({ length: 24 }, (_, i) => JSON.stringify({ prompt: `q${i % 4}:`, completion: ` a${i % 4}` })).join('\n'));
    const out = join(TMP, 'phi3');
    const run = await tabtune('train', '--task', 'lm', '--model', join(ROOT, 'fixtures/hf-families/phi3/base'), '--data', data, '--out', out, '--steps', '4', '--lora-r', '2', '--max-len', '32', '--batch', '4');
    expect(run.code, run.stderr).toBe(0);
    // 2 blocks x r 2 x (qkv 32+64, o 32+32, gate_up 32+128, down 64+32)
    expect(run.stdout).toMatch(/plan: LoRA r=2 alpha=4 on 8 projections; 1,664 trainable parameters/);
    const config = JSON.parse(readFileSync(join(out, 'adapter/adapter_config.json'), 'utf8'));
    expect([...config.target_modules].sort()).toEqual(['down_proj', 'gate_up_proj', 'o_proj', 'qkv_proj']);
    const adapter = readSafetensors(readFileSync(join(out, 'adapter/adapter_model.safetensors')));
    expect(adapter.tensors.get('base_model.model.model.layers.1.mlp.gate_up_proj.lora_B.weight')?.shape).toEqual([128, 2]);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(Number.isFinite(metrics.final.validationLoss)).toBe(true);
  });

  it('trains LoRA on a language model from JSONL and writes the PEFT adapter and metrics', async () => {
    const data = join(TMP, 'pairs.jsonl');
    writeFileSync(data, Array.from({ length: 24 }, (_, i) => JSON.stringify({ prompt: `q${i % 4}:`, completion: ` a${i % 4}` })).join('\n'));
    const out = join(TMP, 'lm');
    const run = await tabtune('train', '--task', 'lm', '--model', join(ROOT, 'fixtures/hf-tiny/tiny-gpt2/base'), '--data', data, '--out', out, '--steps', '6', '--lora-targets', 'c_attn', '--lora-r', '2', '--max-len', '32', '--batch', '4', '--threads', '2');
    expect(run.code, run.stderr).toBe(0);
    // TF.js' threaded WASM build on the 2 threads asked, whatever the machine's core count.
    expect(run.stdout).toMatch(/^backend wasm, 2 threads \(/m);
    expect(run.stdout).toMatch(/plan: LoRA r=2 alpha=4 on 2 projections; 512 trainable parameters/);
    const config = JSON.parse(readFileSync(join(out, 'adapter/adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', r: 2, lora_alpha: 4, fan_in_fan_out: true, target_modules: ['c_attn'] });
    const adapter = readSafetensors(readFileSync(join(out, 'adapter/adapter_model.safetensors')));
    expect(adapter.tensors.get('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight')?.shape).toEqual([2, 32]);
    expect(adapter.tensors.get('base_model.model.transformer.h.1.attn.c_attn.lora_B.weight')?.shape).toEqual([96, 2]);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.steps).toHaveLength(6);
    expect(metrics.threads).toBe(2);
    // 2 blocks x r 2 x (32 in + 96 out)
    expect(metrics.trainableParams).toBe(512);
    expect(Number.isFinite(metrics.final.validationLoss)).toBe(true);
  });

  it('refuses a bad --weight-storage as usage, and float16 off WebGPU with one line naming the backend', async () => {
    const data = join(TMP, 'ws.jsonl');
    writeFileSync(data, Array.from({ length: 8 }, (_, i) => JSON.stringify({ text: `t${i}` })).join('\n'));
    const model = join(ROOT, 'fixtures/hf-tiny/tiny-llama/base');
    const [bad, wasm] = await Promise.all([
      tabtune('train', '--task', 'lm', '--model', model, '--data', data, '--out', join(TMP, 'ws1'), '--weight-storage', 'half'),
      tabtune('train', '--task', 'lm', '--model', model, '--data', data, '--out', join(TMP, 'ws2'), '--weight-storage', 'float16', '--backend', 'wasm'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--weight-storage half: use auto/);
    expectOneLineError(wasm, /weight storage float16 needs the WebGPU backend, but base is being loaded on wasm; use weight storage auto or float32/);
  });
});
