/**
 * The whole engine in Node on the CPU backend, with the real built-in model (served over HTTP) and
 * the real sample dataset (PNG files decoded from disk): import, train, try, export.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT, DEFAULT_CLASSIFIER_TRAIN_CONFIG, type EngineEvent } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { Session } from './session.ts';
import { EngineError } from '../errors.ts';
import { readSafetensors, toFloat32 } from '../export/safetensors.ts';
import { expectNoTensorLeak } from '../testing/expectNoTensorLeak.ts';
import { readFolder } from '../testing/readFolder.ts';
import { serveFolder } from '../testing/serveFolder.ts';
import { tf } from '../tf.ts';

const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));
const SAMPLE = `${PUBLIC}datasets/shapes-sample`;

let server: Awaited<ReturnType<typeof serveFolder>>;
beforeAll(async () => {
  server = await serveFolder(PUBLIC);
});
afterAll(async () => {
  await server.close();
});

// Every test gets its own session on the CPU backend with the built-in model loaded.
let events: EngineEvent[];
let engine: Session;
beforeEach(async () => {
  events = [];
  engine = new Session({ decodeImage: decodeImagePng }, (e) => events.push(e));
  await engine.setBackend('cpu');
  await engine.loadModel(`${server.url}models/shapes-cnn/model.json`);
});
afterEach(() => engine.dispose());

/** Imports 8 images of two classes of the sample and trains a head on them: a short run, for tests that need a trained head, not a good one. */
async function trainHead(): Promise<void> {
  await engine.importImages('shapes-sample', readFolder(SAMPLE).filter((f) => /\/(ring|star)\/\w+-00[0-7]\.png$/.test(f.path)), DEFAULT_SPLIT);
  expect((await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 1 })).state).toBe('done');
}

describe('Session on the built-in model and sample dataset', () => {
  it('refuses to train before a dataset is loaded, with a clear message', async () => {
    await expect(engine.train(DEFAULT_CLASSIFIER_TRAIN_CONFIG)).rejects.toThrow(/No dataset is loaded/);
  });

  it('imports, trains with a falling loss, predicts and exports', async () => {
    const summary = await engine.importImages('shapes-sample', readFolder(SAMPLE), DEFAULT_SPLIT);
    expect(summary.issues).toEqual([]);
    expect(summary.classes.length).toBeGreaterThanOrEqual(2);
    for (const c of summary.classes) expect(c.validation).toBeGreaterThanOrEqual(1);

    events.length = 0;
    // What remains after a run: the cached features [N, F] and the trained head (kernel, bias); nothing per step.
    const result = await expectNoTensorLeak(() => engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 6, learningRate: 0.01 }), { keeps: 3 });
    expect(result.state).toBe('done');
    const losses = events.flatMap((e) => (e.type === 'step' ? [e.point.loss] : []));
    expect(losses).toHaveLength(result.steps);
    const firstEpoch = result.evals[0]!;
    const lastEpoch = result.evals.at(-1)!;
    expect(lastEpoch.trainLoss!).toBeLessThan(firstEpoch.trainLoss!);
    // Transfer is visible: frozen features of shapes the base never saw still separate the classes.
    expect(lastEpoch.validationAccuracy).toBeGreaterThan(0.7);
    expect(events.map((e) => (e.type === 'runState' ? e.state : null)).filter(Boolean)).toEqual(['preparing', 'training', 'done']);
    // A head-only run is its own baseline; its confusion matrix covers the validation split.
    expect(result.baseline).toBeNull();
    expect(result.evaluation!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(summary.classes.reduce((a, c) => a + c.validation, 0));

    const [cls] = summary.classes;
    const image = readFolder(SAMPLE).find((f) => f.path.includes(`/${cls!.name}/`))!;
    const prediction = await engine.predict(image.file);
    expect(prediction.classes).toEqual(summary.classes.map((c) => c.name));
    expect(prediction.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);

    const exported = await engine.exportWeights();
    const file = readSafetensors(exported.safetensors);
    const manifest = JSON.parse(exported.manifestJson);
    const K = summary.classes.length;
    const F = manifest.baseModel.featureSize;
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.get('head.weight')?.shape).toEqual([K, F]);
    expect(file.tensors.get('head.bias')?.shape).toEqual([K]);
    expect(manifest.classes).toEqual(summary.classes.map((c) => c.name));
    expect(manifest.training.steps).toBe(result.steps);

    // The exported head reproduces the engine's prediction: features . W^T + b, softmax.
    const W = toFloat32(file.tensors.get('head.weight')!);
    const b = toFloat32(file.tensors.get('head.bias')!);
    const [h, w] = manifest.baseModel.inputShape;
    const { rgb } = await decodeImagePng(image.file, w, h);
    const base = await tf.loadLayersModel(`${server.url}models/shapes-cnn/model.json`);
    const cut = tf.model({ inputs: base.inputs, outputs: base.getLayer(manifest.baseModel.featureLayer).output as tf.SymbolicTensor });
    const features = Array.from(
      tf.tidy(() => cut.predict(tf.tensor4d(Float32Array.from(rgb), [1, h, w, 3]).mul(manifest.preprocessing.pixelScale)) as tf.Tensor).dataSync(),
    );
    const logits = Array.from({ length: K }, (_, k) => features.reduce((s: number, f: number, i: number) => s + f * W[k * F + i]!, b[k]!));
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const probs = exps.map((e) => e / exps.reduce((s, x) => s + x, 0));
    probs.forEach((p, k) => expect(p).toBeCloseTo(prediction.probabilities[k]!, 4));
    base.dispose();

    // The zip of a head-only run: no adapter, a merged model equal to base + head, and the studio
    // still works afterwards (the export must not free the loaded model's layers).
    const bundle = await engine.exportBundle();
    expect(bundle.files.sort()).toEqual(['head.safetensors', 'merged/model.json', 'merged/weights.bin', 'tabtune.json']);
    expect((await engine.predict(image.file)).probabilities).toEqual(prediction.probabilities);
  });

  it('keeps the trained head across a backend switch, and frees the old backend\'s tensors', async () => {
    await trainHead();
    const image = readFolder(SAMPLE).find((f) => f.path.includes('/star/'))!;
    const onCpu = await engine.predict(image.file);
    // Reloaded model and head, features not yet recomputed: the count is what it was less the cached features.
    const onWasm = await expectNoTensorLeak(async () => {
      await engine.setBackend('wasm');
      expect(tf.getBackend()).toBe('wasm');
      return engine.predict(image.file);
    }, { keeps: -1 });
    onWasm.probabilities.forEach((p, k) => expect(p).toBeCloseTo(onCpu.probabilities[k]!, 4));
    await expectNoTensorLeak(() => engine.setBackend('cpu'));
  });

  it('keeps the previous dataset when an import fails', async () => {
    await trainHead();
    const before = await engine.exportWeights();
    const bad = [{ path: 'junk/a/readme.txt', file: new Blob(['hi']) }];
    await expect(engine.importImages('junk', bad, DEFAULT_SPLIT)).rejects.toBeInstanceOf(EngineError);
    const summary = await engine.setSplit({ validationFraction: 0.3, seed: 1 });
    expect(summary.name).toBe('shapes-sample');
    // The trained head is untouched by a failed import.
    expect((await engine.exportWeights()).safetensors).toEqual(before.safetensors);
  });

  it('reports corrupt images, non-images and tiny classes by name without aborting', async () => {
    const files = readFolder(SAMPLE);
    const [a, b] = [...new Set(files.map((f) => f.path.split('/')[1]))];
    const good = files
      .filter((f) => f.path.includes(`/${a}/`) || f.path.includes(`/${b}/`))
      .map((f) => ({ ...f, path: f.path.replace(/^[^/]+\//, 'messy/') }));
    const summary = await engine.importImages('messy', [
      ...good,
      { path: 'messy/x/notes.txt', file: new Blob(['not an image']) },
      { path: 'messy/x/broken.png', file: new Blob([new Uint8Array([137, 80, 78, 71, 1, 2, 3])]) },
      { path: 'messy/lonely/one.png', file: files[0]!.file },
    ], DEFAULT_SPLIT);
    const kinds = summary.issues.map((i) => `${i.kind}:${i.path}`);
    expect(kinds).toContain('not-an-image:messy/x/notes.txt');
    expect(kinds).toContain('corrupt-image:messy/x/broken.png');
    expect(kinds).toContain('too-few-images:lonely');
    expect(summary.issues.find((i) => i.kind === 'corrupt-image')?.message).toContain('messy/x/broken.png');
  });

  it('rejects impossible settings before doing any work', async () => {
    await expect(engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, batchSize: 0 })).rejects.toThrow(/batchSize is 0/);
  });
});
