/**
 * Reads a TF.js LayersModel (model.json + weight shards) from anywhere (a server, dropped files) into
 * memory, checking it the way a person needs it checked: every shard listed is there, shards hold
 * exactly the bytes the weight specs need, and layer classes are ones TF.js knows. Each failure
 * names the file and says what to do.
 */
import { EngineError } from '../errors.ts';
import { tf, type LayersModel } from '../tf.ts';

/** Reads one file named in model.json (relative path); null when it does not exist. */
export type ShardReader = (path: string) => Promise<Uint8Array | null>;

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, string: 0 };

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

const invalid = (message: string) => new EngineError('model-invalid', message);

/** Bytes one weight takes in its shard (quantized weights are stored in their quantized dtype). */
function specBytes(spec: tf.io.WeightsManifestEntry, label: string): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = DTYPE_BYTES[dtype];
  if (size === undefined || size === 0) throw invalid(`${label}: weight "${spec.name}" has dtype "${dtype}", which Tabtune cannot load.`);
  return spec.shape.reduce((a, b) => a * b, 1) * size;
}

export async function readModelArtifacts(modelJsonText: string, readShard: ShardReader, label: string): Promise<tf.io.ModelArtifacts> {
  let json: { modelTopology?: unknown; weightsManifest?: unknown; format?: string; generatedBy?: string; convertedBy?: string | null };
  try {
    json = JSON.parse(modelJsonText) as typeof json;
  } catch (e) {
    throw invalid(`${label}: not valid JSON (${(e as Error).message}).`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw invalid(`${label}: not a TF.js LayersModel (model.json needs "modelTopology" and "weightsManifest").`);
  }
  if (json.format && json.format !== 'layers-model') {
    throw invalid(`${label}: format "${json.format}" is a TF.js graph model; Tabtune trains LayersModels (Keras models saved with tfjs.converters.save_keras_model).`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of json.weightsManifest as WeightsGroup[]) {
    const expected = group.weights.reduce((sum, spec) => sum + specBytes(spec, label), 0);
    let actual = 0;
    for (const path of group.paths) {
      const bytes = await readShard(path);
      if (!bytes) throw invalid(`${label}: weights file "${path}" listed in model.json is missing. Drop or serve it together with model.json.`);
      shards.push(bytes);
      actual += bytes.byteLength;
    }
    if (actual !== expected) {
      throw invalid(`${label}: weights file${group.paths.length > 1 ? 's' : ''} ${group.paths.map((p) => `"${p}"`).join(', ')} hold ${actual} bytes, but model.json's weights need ${expected}. The files do not belong to this model.json (or are truncated).`);
    }
    specs.push(...group.weights);
  }
  const weightData = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
  let offset = 0;
  for (const s of shards) {
    weightData.set(s, offset);
    offset += s.byteLength;
  }
  return {
    modelTopology: json.modelTopology as object,
    weightSpecs: specs,
    weightData: weightData.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
  };
}

/** Builds the LayersModel, turning TF.js' internal errors into sentences. */
export async function modelFromArtifacts(artifacts: tf.io.ModelArtifacts, label: string): Promise<LayersModel> {
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    const message = (e as Error).message;
    const unknown = /Unknown layer: (\w+)/.exec(message);
    if (unknown) {
      throw invalid(`${label}: layer class "${unknown[1]}" is not one TF.js knows (a custom layer). Save the model with built-in Keras layers, or register the class before loading.`);
    }
    throw new EngineError('model-load-failed', `${label}: could not build the model (${message}).`);
  }
}
