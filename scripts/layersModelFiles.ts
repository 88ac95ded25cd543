/**
 * Writes and reads a TF.js LayersModel as the two files the browser loader expects: `model.json` (topology +
 * weightsManifest with relative paths) and one weights shard, `weights.bin`. No tfjs-node: the artifacts come
 * from `model.save` through a custom save handler and are written with node:fs.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { layersModelFiles, MODEL_JSON, WEIGHTS_BIN } from '../src/export/layersModelFiles.ts';

export { MODEL_JSON, WEIGHTS_BIN };

export interface WrittenModel {
  modelJsonBytes: number;
  weightsBytes: number;
}

/** Saves `model` into `dir` (created if needed) exactly as `model.save` lays out LayersModel artifacts. */
export async function writeLayersModel(model: tf.LayersModel, dir: string): Promise<WrittenModel> {
  const { modelJson, weights } = await layersModelFiles(model);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MODEL_JSON), modelJson);
  await writeFile(join(dir, WEIGHTS_BIN), weights);
  return { modelJsonBytes: Buffer.byteLength(modelJson), weightsBytes: weights.byteLength };
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
