/**
 * A model shaped unlike the built-in one, as a user would drop it: grayscale input, BatchNorm,
 * DepthwiseConv2D, Flatten, Dropout, and a softmax as its own Activation layer after the head.
 * The engine must cut before the old head, feed grey pixels, train LoRA on a Conv2D, and export a
 * merged model that predicts what it predicts.
 */
import { strFromU8, unzipSync } from 'fflate';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT, DEFAULT_CLASSIFIER_TRAIN_CONFIG, type DatasetFile } from '../api.ts';
import { decodeImagePng } from '../data/decodeImagePng.ts';
import { Session } from './session.ts';
import { startBackend } from '../backend/startBackend.ts';
import { layersModelFiles } from '../export/layersModelFiles.ts';
import { readFolder } from '../testing/readFolder.ts';
import { tf } from '../tf.ts';

const SAMPLE = fileURLToPath(new URL('../../public/datasets/shapes-sample', import.meta.url));
/** The files of the model below (grey_net), made once: every test loads them into a session of its own. */
let files: DatasetFile[] = [];

beforeAll(async () => {
  await startBackend('wasm'); // what Session.setBackend starts, before any session exists
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    name: 'grey_net',
    layers: [
      tf.layers.conv2d({ inputShape: [24, 24, 1], filters: 8, kernelSize: 3, padding: 'same', name: 'c1', kernelInitializer: init(1) }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.activation({ activation: 'relu', name: 'relu' }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, name: 'dw', depthwiseInitializer: init(2) }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 16, activation: 'relu', name: 'fc', kernelInitializer: init(3) }),
      tf.layers.dropout({ rate: 0.2, name: 'drop' }),
      tf.layers.dense({ units: 10, name: 'logits', kernelInitializer: init(4) }),
      tf.layers.activation({ activation: 'softmax', name: 'probs' }),
    ],
  });
  const { modelJson, weights } = await layersModelFiles(model);
  model.dispose();
  files = [
    { path: 'grey_net/model.json', file: new Blob([modelJson]) },
    { path: 'grey_net/weights.bin', file: new Blob([weights.slice()]) },
  ];
});

let engine: Session;
beforeEach(async () => {
  engine = new Session({ decodeImage: decodeImagePng });
  await engine.setBackend('wasm');
});
afterEach(() => engine.dispose());

describe('a model the project has never seen', () => {
  it('is cut before its old head, fed grey pixels, trained with LoRA, and exported', async () => {
    const summary = await engine.loadModelFiles(files);
    expect(summary.inputShape).toEqual([24, 24, 1]);
    expect(summary.featureLayer).toBe('drop');
    expect(summary.featureSize).toBe(16);
    expect(summary.layers.filter((l) => l.loraSupported).map((l) => l.name)).toEqual(['c1', 'fc']);

    const data = await engine.importImages('shapes-sample', readFolder(SAMPLE), DEFAULT_SPLIT);
    expect(data.issues).toEqual([]);
    // A trained BatchNorm trains gamma and beta (2 x 8), not its moving statistics; plus the head 16 x 4 + 4.
    expect((await engine.setPlan({ bn: { kind: 'full' } }, 16)).trainableParams).toBe(16 + 68);
    await engine.setPlan({ c1: { kind: 'lora', r: 2, alpha: 4 }, fc: { kind: 'full' } }, 16);
    // TF.js' WASM backend has no DepthwiseConv2D gradient: the run stops with a sentence, not a kernel name.
    await expect(engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 1 })).rejects.toThrow(
      'The wasm backend cannot train through DepthwiseConv2D layers (TF.js has no DepthwiseConv2dNativeBackpropInput kernel for it). Switch the backend to WebGPU or CPU, or freeze every layer up to and including it (LoRA or training only after it).',
    );
    await engine.setBackend('cpu');
    const result = await engine.train({ ...DEFAULT_CLASSIFIER_TRAIN_CONFIG, epochs: 6, learningRate: 0.01 });
    expect(result.evals.at(-1)!.trainLoss!).toBeLessThan(result.evals[0]!.trainLoss!);

    const image = readFolder(SAMPLE).find((f) => f.path.includes('/star/'))!;
    const prediction = await engine.predict(image.file);
    expect(prediction.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);

    const zip = unzipSync((await engine.exportBundle()).zip);
    const modelJson = JSON.parse(strFromU8(zip['merged/model.json']!));
    const merged = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: zip['merged/weights.bin']!.slice().buffer }),
    );
    const { rgb } = await decodeImagePng(image.file, 24, 24);
    const grey = Float32Array.from({ length: 24 * 24 }, (_, i) => Math.round(0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!) / 255);
    const probs = tf.tidy(() => Array.from((merged.predict(tf.tensor4d(grey, [1, 24, 24, 1])) as tf.Tensor).dataSync()));
    probs.forEach((p, k) => expect(Math.abs(p - prediction.probabilities[k]!)).toBeLessThan(1e-5));
    merged.dispose();
  });

  it('refuses a model whose input is neither an image nor a vector; takes a vector model for tables', async () => {
    const filesOf = async (model: tf.LayersModel, name: string) => {
      const { modelJson, weights } = await layersModelFiles(model);
      model.dispose();
      return [
        { path: `${name}/model.json`, file: new Blob([modelJson]) },
        { path: `${name}/weights.bin`, file: new Blob([weights.slice()]) },
      ];
    };
    await engine.loadModelFiles(files);
    const sequence = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5, 8], units: 4 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
    await expect(engine.loadModelFiles(await filesOf(sequence, 'seq'))).rejects.toThrow(/input shape \[5, 8\] is neither a fixed \[height, width, channels\] image nor a \[features\] vector/);
    // The previous model is still there.
    expect((await engine.importImages('again', readFolder(SAMPLE), DEFAULT_SPLIT)).total).toBe(96);

    // A model over 8 numbers is a table model: it loads, and images are refused with a sentence.
    const tabular = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 4 }), tf.layers.dense({ units: 2 })] });
    const summary = await engine.loadModelFiles(await filesOf(tabular, 'tab'));
    expect(summary.inputKind).toBe('vector');
    expect(summary.inputShape).toEqual([8]);
    await expect(engine.importImages('again', readFolder(SAMPLE), DEFAULT_SPLIT)).rejects.toThrow(/takes table rows, not images/);
  });
});
