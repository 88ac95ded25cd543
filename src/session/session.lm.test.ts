/**
 * A language model through the whole engine in Node (WASM): the tiny Llama written by transformers,
 * a chat dataset, LoRA with two ranks, training, generation with the adapter on and off, the
 * adapter strength, PEFT export/import, and the merged model. Parity with PEFT's own files too.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LM_DATASET_OPTIONS, DEFAULT_LM_TRAIN_CONFIG, type EngineEvent, type TrainPlan } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { Session } from './session.ts';
import { readSafetensors } from '../export/safetensors.ts';
import { causalLmLogits } from '../models/hf/causalLmLogits.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { readFolder } from '../testing/readFolder.ts';
import { tf, type Tensor2D } from '../tf.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/hf-tiny/', import.meta.url));
const reference = JSON.parse(readFileSync(`${FIXTURES}tiny-llama/reference.json`, 'utf8')) as { ids: number[][]; adapted: number[][][] };

/**
 * 40 prompt/completion pairs teaching one reply pattern: after training, the adapted model's greedy
 * reply changes. (Not chat: this tokenizer spells ChatML's markers out in bytes, 76 tokens a turn,
 * more than the fixture's 64 positions; the chat path runs on the built-in model in the e2e suite.)
 */
function chatJsonl(): string {
  const lines: string[] = [];
  const animals = ['cat', 'dog', 'fox', 'owl', 'bee'];
  for (let i = 0; i < 40; i++) {
    const a = animals[i % animals.length]!;
    lines.push(JSON.stringify({ prompt: `name a ${a}:`, completion: ` arr ${a} arr` }));
  }
  lines.splice(7, 0, '{"prompt": "x"}', 'not json');
  return `${lines.join('\n')}\n`;
}

async function logitsOf(engine: Session, ids: number[]): Promise<number[][]> {
  const { lm, lora } = engine.lm.current();
  const out = tf.tidy(() => causalLmLogits(lm, tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32') as Tensor2D, { lora: lora ?? undefined }).logits.squeeze([0]));
  const rows = (await out.array()) as number[][];
  out.dispose();
  return rows;
}

const maxDiff = (a: number[][], b: number[][]): number => Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i]![j]!))));

describe('Session with a language model (WASM)', () => {
  // Every test gets its own session on the WASM backend.
  let events: EngineEvent[];
  let engine: Session;
  beforeEach(async () => {
    events = [];
    engine = new Session({ decodeImage: decodeImagePng }, (e) => events.push(e));
    await engine.setBackend('wasm');
  });
  afterEach(() => engine.dispose());

  /** Loads the tiny Llama and applies the PEFT adapter made for it in Python. */
  async function withPeftAdapter() {
    await engine.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}tiny-llama/base`) });
    return engine.lmImportAdapter(readFolder(`${FIXTURES}tiny-llama/adapter`));
  }

  it('loads a Hugging Face folder and describes it as PEFT would target it', async () => {
    const summary = await engine.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}tiny-llama/base`) });
    expect(summary.architecture).toBe('llama');
    expect(summary.numKvHeads).toBe(2);
    expect(summary.projectionNames).toEqual(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']);
    expect(summary.modules).toHaveLength(14);
    expect(summary.defaultTargets).toEqual(['q_proj', 'v_proj']);
    expect(events.some((e) => e.type === 'progress' && e.task === 'load-model')).toBe(true);
  });

  it('applies a PEFT adapter made in Python: logits as transformers + PEFT gave them', async () => {
    const imported = await withPeftAdapter();
    expect(Object.keys(imported.plan)).toHaveLength(14);
    for (const [i, ids] of reference.ids.entries()) expect(maxDiff(await logitsOf(engine, ids), reference.adapted[i]!)).toBeLessThan(1e-4);
    // Exported again, the adapter's tensors are PEFT's, byte for byte.
    const again = await engine.lmExportAdapter();
    const ours = readSafetensors(again.files['adapter_model.safetensors']!);
    const theirs = readSafetensors(readFileSync(`${FIXTURES}tiny-llama/adapter/adapter_model.safetensors`));
    expect([...ours.tensors.keys()].sort()).toEqual([...theirs.tensors.keys()].sort());
    for (const [name, t] of theirs.tensors) expect(Buffer.from(ours.tensors.get(name)!.data).equals(Buffer.from(t.data)), name).toBe(true);
  });

  it('merges the adapter into a Hugging Face folder that gives the adapted logits', async () => {
    await withPeftAdapter();
    const merged = await engine.lmExportMerged();
    expect(Object.keys(merged.files).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const adapted = await logitsOf(engine, reference.ids[0]!);
    await engine.lmLoadModel({ kind: 'files', files: Object.entries(merged.files).map(([name, bytes]) => ({ path: `merged/${name}`, file: new Blob([bytes.slice()]) })) });
    expect(maxDiff(await logitsOf(engine, reference.ids[0]!), adapted)).toBeLessThan(1e-4);
  });

  it('trains LoRA with two ranks on chat data, generates differently with the adapter, and exports it', async () => {
    await engine.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}tiny-llama/base`) });
    const data = await engine.lmImportText('pairs.jsonl', new Blob([chatJsonl()]), { ...DEFAULT_LM_DATASET_OPTIONS, maxLength: 48 });
    expect(data.format).toBe('prompt-completion');
    expect(data.examples).toBe(40);
    expect(data.issues.map((i) => i.line)).toEqual([8, 9]);
    expect(data.trainedTokens).toBeLessThan(data.totalTokens); // prompts are masked

    const summary = engine.lm.current();
    const plan: TrainPlan = {};
    for (const m of summary.lm.modules) {
      if (m.name === 'q_proj') plan[m.path] = { kind: 'lora', r: 4, alpha: 8 };
      if (m.name === 'v_proj') plan[m.path] = { kind: 'lora', r: 2, alpha: 4 };
    }
    // per block: q 4 x (32 + 32), v 2 x (32 + 16)
    expect((await engine.lmSetPlan(plan, 4, 48)).trainableParams).toBe(2 * (4 * 64 + 2 * 48));

    events.length = 0;
    // adapters (2 x 4 variables) are all that remain
    const result = await expectNoTensorLeak(
      () => engine.train({ ...DEFAULT_LM_TRAIN_CONFIG, steps: 30, evalEvery: 10, learningRate: 2e-2, batchSize: 8, gradAccumulation: 2, samplePrompts: ['name a cat:'] }),
      { keeps: 8 },
    );
    expect(result.state).toBe('done');
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(30);
    const first = steps[0]!.type === 'step' ? steps[0]!.point.loss : 0;
    expect(result.finalLoss).toBeLessThan(first * 0.7);
    expect(result.evals.length).toBe(3);
    expect(result.evals.at(-1)!.validationLoss).toBeLessThan(result.baseValidationLoss);
    expect(result.evals.at(-1)!.samples![0]!.prompt).toBe('name a cat:');

    const request = { prompt: 'name a fox:', chat: false, maxNewTokens: 8, temperature: 0, topK: 0, topP: 1, seed: 1 };
    const base = await engine.lmGenerate({ ...request, model: 'base', requestId: 1 });
    const adapted = await engine.lmGenerate({ ...request, model: 'adapted', requestId: 2 });
    expect(adapted.text).not.toBe(base.text);
    const streamed = events.filter((e) => e.type === 'lmToken' && e.requestId === 2).map((e) => (e.type === 'lmToken' ? e.text : '')).join('');
    expect(streamed).toBe(adapted.text);
    // strength 0 is the base model
    const zero = await engine.lmSetAdapterStrength(0);
    expect(zero.validationLoss).toBeCloseTo(result.baseValidationLoss, 4);
    expect((await engine.lmGenerate({ ...request, model: 'adapted', requestId: 3 })).text).toBe(base.text);
    await engine.lmSetAdapterStrength(1);

    const exported = await engine.lmExportAdapter();
    const config = JSON.parse(new TextDecoder().decode(exported.files['adapter_config.json']));
    expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', use_rslora: false, fan_in_fan_out: false });
    expect(config.target_modules).toEqual(['q_proj', 'v_proj']);
    const ranks = Object.values(config.rank_pattern as Record<string, number>);
    expect(new Set([config.r, ...ranks])).toEqual(new Set([4, 2]));
    const tensors = readSafetensors(exported.files['adapter_model.safetensors']!);
    expect(tensors.metadata).toEqual({ format: 'pt' });
    expect(tensors.tensors.get('base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight')!.shape).toEqual([2, 32]);
    expect(tensors.tensors.get('base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight')!.shape).toEqual([16, 2]);
    expect(tensors.tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight')!.shape).toEqual([32, 4]);
  });

  it('says what is wrong with a folder that is not a model', async () => {
    await expect(engine.lmLoadModel({ kind: 'files', files: [{ path: 'x/readme.txt', file: new Blob(['hi']) }] })).rejects.toThrow(/config\.json/);
  });
});

describe('a language model across a backend switch', () => {
  it('keeps the model, the dataset and the trained adapter (same logits on cpu)', async () => {
    const e = new Session({ decodeImage: decodeImagePng });
    await e.setBackend('wasm');
    await e.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}tiny-gpt2/base`) });
    await e.lmImportAdapter(readFolder(`${FIXTURES}tiny-gpt2/adapter`));
    await e.setBackend('cpu');
    const { lm, lora } = e.lm.current();
    const ref = JSON.parse(readFileSync(`${FIXTURES}tiny-gpt2/reference.json`, 'utf8')) as { ids: number[][]; adapted: number[][][] };
    const out = tf.tidy(() => causalLmLogits(lm, tf.tensor2d(Int32Array.from(ref.ids[0]!), [1, ref.ids[0]!.length], 'int32') as Tensor2D, { lora: lora! }).logits.squeeze([0]));
    expect(maxDiff((await out.array()) as number[][], ref.adapted[0]!)).toBeLessThan(1e-4);
    out.dispose();
    e.dispose();
  });
});

describe('a language model with a projection trained in full', () => {
  it('trains the copy, keeps the base as it was, and merges what was trained', async () => {
    const e = new Session({ decodeImage: decodeImagePng });
    await e.setBackend('wasm');
    await e.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}tiny-llama/base`) });
    await e.lmImportText('pairs.jsonl', new Blob([chatJsonl()]), { ...DEFAULT_LM_DATASET_OPTIONS, maxLength: 48 });
    const baseLogits = await (async () => {
      const { lm } = e.lm.current();
      const out = tf.tidy(() => causalLmLogits(lm, tf.tensor2d(Int32Array.from(reference.ids[0]!), [1, reference.ids[0]!.length], 'int32') as Tensor2D).logits.squeeze([0]));
      const rows = (await out.array()) as number[][];
      out.dispose();
      return rows;
    })();
    const plan: TrainPlan = { 'model.layers.0.self_attn.o_proj': { kind: 'full' }, 'model.layers.1.self_attn.q_proj': { kind: 'lora', r: 2, alpha: 4 } };
    // o_proj 32 x 32 in full, q_proj LoRA 2 x (32 + 32)
    expect((await e.lmSetPlan(plan, 4, 48)).trainableParams).toBe(32 * 32 + 2 * 64);
    const result = await e.train({ ...DEFAULT_LM_TRAIN_CONFIG, steps: 6, evalEvery: 0, learningRate: 1e-2, batchSize: 8 });
    expect(result.steps).toBe(6);
    // "base" is still the base: the trained o_proj lives in a copy.
    const request = { prompt: 'name a owl:', chat: false, maxNewTokens: 6, temperature: 0, topK: 0, topP: 1, seed: 1 };
    const base = await e.lmGenerate({ ...request, model: 'base', requestId: 1 });
    const fresh = new Session({ decodeImage: decodeImagePng });
    await fresh.setBackend('wasm');
    await fresh.lmLoadModel({ kind: 'files', files: readFolder(`${FIXTURES}tiny-llama/base`) });
    expect((await fresh.lmGenerate({ ...request, model: 'base', requestId: 2 })).text).toBe(base.text);
    // The adapted model differs from the base, and the merged folder reproduces it.
    const { lm, lora } = e.lm.current();
    const ids = reference.ids[0]!;
    const out = tf.tidy(() => causalLmLogits(lm, tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32') as Tensor2D, { lora: lora ?? undefined }).logits.squeeze([0]));
    const adapted = (await out.array()) as number[][];
    out.dispose();
    expect(maxDiff(adapted, baseLogits)).toBeGreaterThan(1e-3);
    const merged = await e.lmExportMerged();
    await fresh.lmLoadModel({ kind: 'files', files: Object.entries(merged.files).map(([name, bytes]) => ({ path: `m/${name}`, file: new Blob([bytes.slice()]) })) });
    const m = fresh.lm.current();
    const out2 = tf.tidy(() => causalLmLogits(m.lm, tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32') as Tensor2D).logits.squeeze([0]));
    expect(maxDiff((await out2.array()) as number[][], adapted)).toBeLessThan(1e-4);
    out2.dispose();
    // PEFT adapters hold LoRA only: the export says to use the merged model.
    await expect(e.lmExportAdapter()).rejects.toThrow(/merged/);
    e.dispose();
    fresh.dispose();
  });
});
