import { EngineError } from '../errors.ts';
import { tf, type LayersModel } from '../tf.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * A LayersModel as the two files `tf.loadLayersModel` expects: `model.json` (topology and a
 * weightsManifest with relative paths) and one shard, `weights.bin`, exactly as `model.save` lays
 * them out. In memory, so the browser (zip, download) and Node (files) share it.
 */
export async function layersModelFiles(model: LayersModel): Promise<{ modelJson: string; weights: Uint8Array }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  if (artifacts?.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new EngineError('export-failed', 'The model produced no weights to save.');
  }
  // Same fields, in the same order, as TF.js' own http save handler writes.
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs }],
  };
  return { modelJson: JSON.stringify(modelJson), weights: new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) };
}
