/**
 * A LoRA plan through the whole engine in Node on the WASM backend (with our conv-gradient kernels):
 * the real built-in model and sample images, LoRA on a Conv2D and a Dense layer with different ranks.
 */
import { unzipSync, strFromU8 } from 'fflate';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT, DEFAULT_CLASSIFIER_TRAIN_CONFIG, type EngineEvent, type TrainPlan } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { Session } from './session.ts';
import { normalizePlan } from '../lora/planSummary.ts';
import { readSafetensors } from '../export/safetensors.ts';
import { expectFlatTensorCounts } from '../testing/expectFlatTensorCounts.ts';
import { readFolder } from '../testing/readFolder.ts';
import { serveFolder } from '../testing/serveFolder.ts';
import { tf } from '../tf.ts';

const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));
const SAMPLE = `${PUBLIC}datasets/shapes-sample`;
const PLAN: TrainPlan = { conv3: { kind: 'lora', r: 4, alpha: 8 }, embedding: { kind: 'lora', r: 2, alpha: 4 } };

let server: Awaited<ReturnType<typeof serveFolder>>;
beforeAll(async () => {
  server = await serveFolder(PUBLIC);
});
afterAll(async () => {
  await server.close();
});

// Every test gets its own session on the WASM backend, with the built-in model and the sample loaded.
let events: EngineEvent[];
/** Called with each event as it comes (after it is recorded in `events`), for what must be read at that moment. */
let onEvent: (e: EngineEvent) => void;
let engine: Session;
beforeEach(async () => {
  events = [];
  onEvent = () => {};
  engine = new Session({ decodeImage: decodeImagePng }, (e) => {
    events.push(e);
    onEvent(e);
  });
  await engine.setBackend('wasm');
  await engine.loadModel(`${server.url}models/shapes-cnn/model.json`);
  await engine.importImages('shapes-sample', readFolder(SAMPLE), DEFAULT_SPLIT);
});
afterEach(() => engine.dispose());

describe('Session with a LoRA plan (WASM)', () => {
  it('counts what the plan trains, as PEFT would', async () => {
    const summary = await engine.setPlan(PLAN, 16);
    // head 64x4 + 4; conv3 LoRA r=4: 4 x (32*3*3 + 64); embedding LoRA r=2: 2 x (64 + 64)
    expect(summary.trainableParams).toBe(260 + 4 * (288 + 64) + 2 * 128);
    expect(summary.memory.optimizer).toBe(summary.trainableParams * 8);
    await expect(engine.setPlan({ gap: { kind: 'lora', r: 2, alpha: 2 } }, 16)).rejects.toThrow(/gap/);
    await expect(engine.setPlan({ head: { kind: 'full' } }, 16)).rejects.toThrow(/after the feature layer/);
  });

  it('trains with a falling loss and a flat tensor count, then exports adapter, head and a merged model', async () => {
    await engine.setPlan(PLAN, 16);
    events.length = 0;
    const result = await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 4, learningRate: 0.01 });
    expect(result.state).toBe('done');
    const steps = events.flatMap((e) => (e.type === 'step' ? [e.point.loss] : []));
    expect(steps).toHaveLength(result.steps);
    expect(result.evals.at(-1)!.trainLoss!).toBeLessThan(result.evals[0]!.trainLoss!);
    // Per-class evaluation of the fine-tuned model, and the classic-transfer baseline beside it.
    const evaluation = result.evaluation!;
    const validationSize = 16; // 4 per class at 15% of 24
    expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(validationSize);
    expect(evaluation.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([4, 4, 4, 4]);
    expect(evaluation.accuracy).toBeCloseTo(result.evals.at(-1)!.validationAccuracy!, 6);
    expect(evaluation.perClassAccuracy).toHaveLength(4);
    expect(result.baseline?.classes).toEqual(evaluation.classes);
    expect(result.baseline!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(validationSize);

    const bundle = await engine.exportBundle();
    const files = unzipSync(bundle.zip);
    expect(Object.keys(files).sort()).toEqual(
      ['adapter/adapter_config.json', 'adapter/adapter_model.safetensors', 'head.safetensors', 'merged/model.json', 'merged/weights.bin', 'tabtune.json'].sort(),
    );
    const adapter = readSafetensors(files['adapter/adapter_model.safetensors']!);
    const shape = (n: string) => adapter.tensors.get(`base_model.model.${n}`)?.shape;
    expect(shape('conv3.lora_A.weight')).toEqual([4, 32, 3, 3]);
    expect(shape('conv3.lora_B.weight')).toEqual([64, 4, 1, 1]);
    expect(shape('embedding.lora_A.weight')).toEqual([2, 64]);
    expect(shape('embedding.lora_B.weight')).toEqual([64, 2]);
    const config = JSON.parse(strFromU8(files['adapter/adapter_config.json']!));
    expect(config.peft_type).toBe('LORA');
    expect([...config.target_modules].sort()).toEqual(['conv3', 'embedding']);
    const rankOf = (m: string) => config.rank_pattern?.[m] ?? config.r;
    expect([rankOf('conv3'), rankOf('embedding')]).toEqual([4, 2]);
    const manifest = JSON.parse(strFromU8(files['tabtune.json']!));
    expect(manifest.plan.lora).toEqual(['conv3', 'embedding']);

    // The merged model, loaded by plain TF.js, predicts what the engine predicts with adapters unmerged.
    const modelJson = JSON.parse(strFromU8(files['merged/model.json']!));
    const weights = files['merged/weights.bin']!;
    const merged = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: weights.slice().buffer }),
    );
    const image = readFolder(SAMPLE).find((f) => f.path.includes('/zigzag/'))!;
    const fromEngine = await engine.predict(image.file);
    const { rgb } = await decodeImagePng(image.file, 32, 32);
    const probs = tf.tidy(() => (merged.predict(tf.tensor4d(Float32Array.from(rgb), [1, 32, 32, 3]).mul(1 / 255)) as tf.Tensor).dataSync());
    Array.from(probs).forEach((p, k) => expect(Math.abs(p - fromEngine.probabilities[k]!)).toBeLessThan(1e-5));
    merged.dispose();
  });

  it('takes an exported run back: same evaluation and predictions, identical re-export, and training goes on from it', async () => {
    await engine.setPlan(PLAN, 16);
    events.length = 0;
    const original = await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 5, learningRate: 0.01 });
    const bundle = await engine.exportBundle();
    const image = readFolder(SAMPLE).find((f) => f.path.includes('/heart/'))!;
    const expected = await engine.predict(image.file);

    const fresh = new Session({ decodeImage: decodeImagePng }, (e) => events.push(e));
    try {
      await fresh.setBackend('wasm');
      await fresh.loadModel(`${server.url}models/shapes-cnn/model.json`);
      await fresh.importImages('shapes-sample', readFolder(SAMPLE), DEFAULT_SPLIT);
      const imported = await fresh.importRun([{ path: 'run.zip', file: new Blob([bundle.zip.slice()]) }]);
      expect(imported.plan).toEqual(normalizePlan(PLAN));
      expect(imported.result.evaluation!.confusion).toEqual(original.evaluation!.confusion);
      const again = await fresh.predict(image.file);
      again.probabilities.forEach((p, k) => expect(p).toBeCloseTo(expected.probabilities[k]!, 6));
      const reexported = unzipSync((await fresh.exportBundle()).zip);
      expect(reexported['adapter/adapter_model.safetensors']).toEqual(unzipSync(bundle.zip)['adapter/adapter_model.safetensors']);

      // Continuing starts from the imported weights: the first loss is that of a trained model.
      events.length = 0;
      await fresh.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 1, learningRate: 0.01, continueFromLastRun: true });
      const firstLoss = events.find((e) => e.type === 'step')!;
      expect(firstLoss.type === 'step' && firstLoss.point.loss).toBeLessThan(original.evals[0]!.trainLoss!);

      // A run for other classes is refused with the reason.
      await fresh.importImages('two', readFolder(SAMPLE).filter((f) => /\/(ring|star)\//.test(f.path)), DEFAULT_SPLIT);
      await expect(fresh.importRun([{ path: 'run.zip', file: new Blob([bundle.zip.slice()]) }])).rejects.toThrow(/predicts the classes heart, ring, star, zigzag/);
    } finally {
      fresh.dispose();
    }
  });

  it('keeps a LoRA run with a trained layer across a backend switch', async () => {
    await engine.setPlan({ ...PLAN, conv2: { kind: 'full' } }, 16);
    await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 2 });
    const image = readFolder(SAMPLE).find((f) => f.path.includes('/ring/'))!;
    const before = await engine.predict(image.file);
    const adapterBefore = unzipSync((await engine.exportBundle()).zip)['adapter/adapter_model.safetensors'];
    await engine.setBackend('cpu');
    const after = await engine.predict(image.file);
    after.probabilities.forEach((p, k) => expect(p).toBeCloseTo(before.probabilities[k]!, 5));
    expect(unzipSync((await engine.exportBundle()).zip)['adapter/adapter_model.safetensors']).toEqual(adapterBefore);
  });

  it('a plan with trained layers and no LoRA exports the merged model without an adapter', async () => {
    await engine.setPlan({ embedding: { kind: 'full' } }, 16);
    await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 1 });
    const bundle = await engine.exportBundle();
    expect(bundle.files.sort()).toEqual(['head.safetensors', 'merged/model.json', 'merged/weights.bin', 'tabtune.json']);
    const manifest = JSON.parse(strFromU8(unzipSync(bundle.zip)['tabtune.json']!));
    expect(manifest.plan.trained).toEqual(['head', 'embedding']);
  });

  it('leaks no tensors across steps of a LoRA run', async () => {
    const counts: number[] = [];
    onEvent = (e) => {
      if (e.type === 'step') counts.push(tf.memory().numTensors);
    };
    await engine.setPlan(PLAN, 16);
    await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 2 });
    expect(counts.length).toBeGreaterThan(5);
    // The first step makes the optimizer's slots.
    expectFlatTensorCounts(counts, { skip: 1, inFlight: 1 });
  });
});
