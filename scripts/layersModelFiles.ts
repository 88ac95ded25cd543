/**
 * Writes and reads a TF.js LayersModel as the two files the browser loader expects: `model.json` (topology +
 * weightsManifest with relative paths) and one weights shard, `weights.bin`. No tfjs-node: the artifacts come
 * from `model.save` through a custom save handler and are written with node:fs.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export interface WrittenModel {
  modelJsonBytes: number;
  weightsBytes: number;
}

/** Saves `model` into `dir` (created if needed) exactly as `model.save` lays out LayersModel artifacts. */
export async function writeLayersModel(model: tf.LayersModel, dir: string): Promise<WrittenModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  if (artifacts === undefined || artifacts.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new Error('model.save produced no weights');
  }
  // Same fields, in the same order, as the http save handler's model.json; the one shard is named weights.bin.
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs }],
  };
  const json = JSON.stringify(modelJson);
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MODEL_JSON), json);
  await writeFile(join(dir, WEIGHTS_BIN), weights);
  return { modelJsonBytes: Buffer.byteLength(json), weightsBytes: weights.byteLength };
}

/**
 * Loads `dir/model.json` with tf.loadLayersModel, resolving weight paths relative to the folder, the way the
 * browser resolves them relative to the model.json URL. Used to check what was written.
 */
export async function readLayersModel(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = await Promise.all(
          manifest.flatMap((group) => group.paths).map(async (path) => {
            const bytes = await readFile(join(dir, path));
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
          }),
        );
        return [specs, buffers];
      }),
  };
  return tf.loadLayersModel(handler);
}
