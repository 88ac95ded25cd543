/**
 * Pretrains the built-in base model ("Shapes CNN") in Node and writes it to public/models/shapes-cnn/:
 * model.json + weights.bin (TF.js LayersModel artifacts) and tabtune.json (the studio's metadata).
 *
 *   npx tsx scripts/pretrain.ts                                 # the real recipe: ~4 minutes on 2 cores
 *   npx tsx scripts/pretrain.ts --quick                         # a smoke run in seconds, into the OS temp dir
 *   npx tsx scripts/pretrain.ts --backend=cpu                    # pure JS: works, but ~150x slower (hours)
 *
 * It trains on the wasm backend, made able to train convolutions (and fast at it) by the kernels in
 * wasmConv2DBackpropFilter.ts and wasmConv2DBackpropInput.ts.
 *
 * Images are generated in memory (scripts/shapes.ts), seeded, so a rerun reproduces the same model.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readLayersModel, writeLayersModel } from './layersModelFiles.ts';
import { extractFeatures, linearProbe } from './linearProbe.ts';
import { PIXEL_SCALE, type ShapeImages, makeShapeImages } from './shapeImages.ts';
import { PRETRAIN_CLASSES, SAMPLE_CLASSES } from './shapes.ts';
import { FEATURE_LAYER, INPUT_SHAPE, buildShapesCnn, featureExtractor } from './shapesCnn.ts';
import { accuracy, trainClassifier } from './trainClassifier.ts';
import { registerFastWasmConv2DBackpropInput } from '../src/kernels/wasm/wasmConv2DBackpropInput.ts';
import { registerWasmConv2DBackpropFilter } from '../src/kernels/wasm/wasmConv2DBackpropFilter.ts';

const FULL = {
  seed: 20240611,
  imagesPerClass: 1000,
  validationPerClass: 100,
  epochs: 15,
  batchSize: 32,
  optimizer: 'adam',
  learningRate: 0.001,
};
const QUICK: typeof FULL = { ...FULL, imagesPerClass: 40, validationPerClass: 20, epochs: 2 };

/** The linear probe that measures transfer to the sample classes (the studio's own setting, roughly). */
const PROBE = {
  // About what the studio trains on from the sample dataset (24 per class minus a 15% validation split).
  trainPerClass: 20,
  validationPerClass: 100,
  // Rendered at the sample dataset's 64x64 and shrunk to the model's 32x32, as the studio does.
  renderSize: 64,
  epochs: 30,
  batchSize: 16,
  learningRate: 0.01,
};

interface Args {
  quick: boolean;
  out: string;
  backend: 'wasm' | 'cpu';
}

function parseArgs(argv: string[]): Args {
  let out: string | undefined;
  const args: Args = { quick: false, out: '', backend: 'wasm' };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
    else if (arg === '--backend=cpu' || arg === '--backend=wasm') args.backend = arg.slice('--backend='.length) as Args['backend'];
    else throw new Error(`unknown argument ${arg} (expected --quick, --out=DIR, --backend=wasm|cpu)`);
  }
  // A smoke run must never overwrite the shipped model by accident.
  args.out = out ?? (args.quick ? join(tmpdir(), 'shapes-cnn-quick') : 'public/models/shapes-cnn');
  return args;
}

/**
 * Images as tensors: pixels [N, 32, 32, 3] in [0, 1] and float labels [N]. Larger renders are shrunk the way
 * the studio's decoder does it: area averaging (2x2 blocks for 64 px), rounded back to bytes, then scaled.
 */
function toTensors(images: ShapeImages): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [height] = INPUT_SHAPE;
  const factor = images.size / height;
  if (!Number.isInteger(factor)) throw new Error(`render size ${images.size} is not a multiple of ${height}`);
  const x = tf.tidy(() => {
    const raw = tf.tensor4d(images.pixels, [images.count, images.size, images.size, 3]); // [N, S, S, 3]
    if (factor === 1) return raw;
    const bytes = tf.round(tf.avgPool(tf.div(raw, PIXEL_SCALE) as tf.Tensor4D, factor, factor, 'valid')); // [N, 32, 32, 3]
    return tf.mul(bytes, PIXEL_SCALE) as tf.Tensor4D;
  });
  return { x, y: tf.tensor1d(images.labels, 'float32') }; // labels [N]
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

const round = (v: number) => Math.round(v * 10000) / 10000;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const recipe = args.quick ? QUICK : FULL;
  const started = performance.now();
  if (args.backend === 'wasm') {
    // wasm cannot train convolutions out of the box (no Conv2DBackpropFilter); these make it fast too.
    registerWasmConv2DBackpropFilter();
    registerFastWasmConv2DBackpropInput();
  }
  await tf.setBackend(args.backend);
  await tf.ready();
  console.log(`backend ${tf.getBackend()}, recipe ${JSON.stringify(recipe)}`);

  // One seed per image set, derived from the recipe seed: train, validation and probe images are independent.
  let t = performance.now();
  const train = toTensors(makeShapeImages(PRETRAIN_CLASSES, recipe.imagesPerClass, recipe.seed + 1, 32));
  const validation = toTensors(makeShapeImages(PRETRAIN_CLASSES, recipe.validationPerClass, recipe.seed + 2, 32));
  // The same classes rendered at 64x64 and shrunk: checks the model copes with the studio's resize path.
  const validation64 = toTensors(makeShapeImages(PRETRAIN_CLASSES, recipe.validationPerClass, recipe.seed + 3, 64));
  console.log(`generated ${train.x.shape[0]} train + ${validation.x.shape[0]} validation images in ${seconds(t)}`);

  const model = buildShapesCnn(PRETRAIN_CLASSES.length, recipe.seed);
  const optimizer = tf.train.adam(recipe.learningRate);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  console.log(`model: ${model.countParams()} parameters`);

  t = performance.now();
  await trainClassifier(model, train.x, train.y, {
    epochs: recipe.epochs,
    batchSize: recipe.batchSize,
    seed: recipe.seed + 4,
    onEpoch: (epoch, loss, acc) => {
      const val = accuracy(model, validation.x, validation.y);
      console.log(
        `epoch ${epoch}/${recipe.epochs}: loss ${loss.toFixed(4)}, train acc ${acc.toFixed(4)}, ` +
          `val acc ${val.toFixed(4)} (${seconds(t)})`,
      );
    },
  });
  const trainSeconds = (performance.now() - t) / 1000;
  const trainAccuracy = accuracy(model, train.x, train.y);
  const validationAccuracy = accuracy(model, validation.x, validation.y);
  const validation64Accuracy = accuracy(model, validation64.x, validation64.y);
  console.log(
    `trained in ${trainSeconds.toFixed(1)} s: train ${trainAccuracy.toFixed(4)}, validation ${validationAccuracy.toFixed(4)}, ` +
      `validation (64 px resized) ${validation64Accuracy.toFixed(4)}`,
  );

  const written = await writeLayersModel(model, args.out);
  console.log(`wrote ${args.out}: model.json ${written.modelJsonBytes} B, weights.bin ${written.weightsBytes} B`);

  // Check what was written, not what is in memory: reload and re-measure.
  const reloaded = await readLayersModel(args.out);
  const reloadedAccuracy = accuracy(reloaded, validation.x, validation.y);
  console.log(`reloaded: validation ${reloadedAccuracy.toFixed(4)}`);
  if (reloadedAccuracy !== validationAccuracy) {
    throw new Error(`reloaded model disagrees: ${reloadedAccuracy} vs ${validationAccuracy}`);
  }

  // Transfer: a fresh head on frozen `embedding` features, pretrained vs the same CNN at random init.
  t = performance.now();
  const probeTrain = toTensors(makeShapeImages(SAMPLE_CLASSES, PROBE.trainPerClass, recipe.seed + 5, PROBE.renderSize));
  const probeVal = toTensors(makeShapeImages(SAMPLE_CLASSES, PROBE.validationPerClass, recipe.seed + 6, PROBE.renderSize));
  const probe = async (base: tf.LayersModel) => {
    const extractor = featureExtractor(base);
    const trainFeatures = extractFeatures(extractor, probeTrain.x); // [N, 64]
    const valFeatures = extractFeatures(extractor, probeVal.x); // [M, 64]
    const result = await linearProbe(
      { features: trainFeatures, labels: probeTrain.y },
      { features: valFeatures, labels: probeVal.y },
      SAMPLE_CLASSES.length,
      { ...PROBE, seed: recipe.seed + 7 },
    );
    tf.dispose([trainFeatures, valFeatures]);
    return result;
  };
  const pretrained = await probe(reloaded);
  const randomInit = buildShapesCnn(PRETRAIN_CLASSES.length, recipe.seed);
  const random = await probe(randomInit);
  console.log(
    `transfer to ${SAMPLE_CLASSES.join(', ')} (${PROBE.trainPerClass} train images per class): ` +
      `pretrained features: train ${pretrained.train.toFixed(4)}, validation ${pretrained.validation.toFixed(4)}; ` +
      `random-init features: train ${random.train.toFixed(4)}, validation ${random.validation.toFixed(4)} (${seconds(t)})`,
  );

  const metadata = {
    name: 'Shapes CNN',
    description:
      'A tiny CNN pretrained on 8 procedural shape and texture classes, whose 64-number embedding transfers to new shapes.',
    inputShape: INPUT_SHAPE,
    pixelScale: PIXEL_SCALE,
    featureLayer: FEATURE_LAYER,
    pretrainClasses: [...PRETRAIN_CLASSES],
    recipe: {
      ...recipe,
      generator: 'scripts/shapes.ts (seeded, 4x4 supersampled, random colours, layout, gradient and noise)',
      imageSize: 32,
      loss: 'sparseCategoricalCrossentropy',
      backend: tf.getBackend(),
      trainSeconds: Math.round(trainSeconds),
    },
    accuracy: {
      train: round(trainAccuracy),
      validation: round(validationAccuracy),
      validationResizedFrom64: round(validation64Accuracy),
    },
    transfer: {
      classes: [...SAMPLE_CLASSES],
      trainPerClass: PROBE.trainPerClass,
      validationPerClass: PROBE.validationPerClass,
      head: `Dense softmax on frozen ${FEATURE_LAYER}, Adam lr ${PROBE.learningRate}, ${PROBE.epochs} epochs, batch ${PROBE.batchSize}`,
      pretrainedFeatures: round(pretrained.validation),
      randomFeatures: round(random.validation),
      trainAccuracy: { pretrainedFeatures: round(pretrained.train), randomFeatures: round(random.train) },
    },
  };
  await writeFile(join(args.out, 'tabtune.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  console.log(`wrote ${join(args.out, 'tabtune.json')}; total ${seconds(started)}`);

  tf.dispose([train.x, train.y, validation.x, validation.y, validation64.x, validation64.y]);
  tf.dispose([probeTrain.x, probeTrain.y, probeVal.x, probeVal.y]);
  model.dispose();
  reloaded.dispose();
  randomInit.dispose();
  optimizer.dispose();
}

await main();
