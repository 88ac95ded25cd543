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

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const MAX_WEIGHTS = 100_000;

/** The weightsManifest's shape, so nothing below meets a wrong type: groups of paths and weight specs. */
function checkManifest(manifest: unknown[], label: string): void {
  let count = 0;
  manifest.forEach((group, g) => {
    const where = `${label}: weightsManifest[${g}]`;
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw invalid(`${where} needs "paths" and "weights" lists.`);
    if (!group.paths.every((p) => typeof p === 'string' && p.length > 0 && p.length < 1000)) throw invalid(`${where}.paths must be file names.`);
    count += group.weights.length;
    if (count > MAX_WEIGHTS) throw invalid(`${label}: more than ${MAX_WEIGHTS} weights; this is not a model Tabtune can load.`);
    group.weights.forEach((spec, w) => {
      const at = `${where}.weights[${w}]`;
      if (!isObject(spec) || typeof spec.name !== 'string' || typeof spec.dtype !== 'string') throw invalid(`${at} needs a "name" and a "dtype".`);
      if (!Array.isArray(spec.shape) || spec.shape.length > 8 || !spec.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        throw invalid(`${at} ("${spec.name.slice(0, 100)}") has an invalid shape; it must be a list of at most 8 whole numbers >= 0.`);
      }
      if (spec.quantization !== undefined && (!isObject(spec.quantization) || typeof spec.quantization.dtype !== 'string')) {
        throw invalid(`${at} ("${spec.name.slice(0, 100)}") has an invalid "quantization".`);
      }
    });
  });
}

/** Config keys whose numbers size a layer's weights: TF.js allocates them before loading the shards. */
const SIZE_KEYS = new Set(['units', 'filters', 'input_dim', 'output_dim', 'kernel_size', 'batch_input_shape', 'batch_shape', 'target_shape', 'depth_multiplier', 'dims', 'n']);
const MAX_LAYER_DIM = 1 << 20;
const MAX_TOPOLOGY_DEPTH = 64;

/**
 * Walks modelTopology (without recursion) before TF.js builds it: nesting deeper than any Keras
 * model needs, or a layer size that would make TF.js allocate gigabytes, is refused here.
 */
function checkTopology(topology: unknown, label: string): void {
  const stack: [unknown, number, string][] = [[topology, 0, '']];
  let nodes = 0;
  while (stack.length > 0) {
    const [value, depth, key] = stack.pop()!;
    if (++nodes > 1_000_000) throw invalid(`${label}: modelTopology is too large to be a model Tabtune can load.`);
    if (depth > MAX_TOPOLOGY_DEPTH) throw invalid(`${label}: modelTopology is nested more than ${MAX_TOPOLOGY_DEPTH} levels deep; this is not a Keras model.`);
    if (typeof value === 'number' && SIZE_KEYS.has(key) && Math.abs(value) > MAX_LAYER_DIM) {
      throw invalid(`${label}: a layer's "${key}" is ${value}, above ${MAX_LAYER_DIM}; TF.js would allocate more memory than a browser has.`);
    }
    if (Array.isArray(value)) for (const v of value) stack.push([v, depth + 1, key]);
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) stack.push([v, depth + 1, k]);
  }
}

export async function readModelArtifacts(modelJsonText: string, readShard: ShardReader, label: string): Promise<tf.io.ModelArtifacts> {
  let json: { modelTopology?: unknown; weightsManifest?: unknown; format?: string; generatedBy?: string; convertedBy?: string | null };
  try {
    json = JSON.parse(modelJsonText) as typeof json;
  } catch (e) {
    throw invalid(`${label}: not valid JSON (${(e as Error).message}).`);
  }
  if (!isObject(json) || !isObject(json.modelTopology) || !Array.isArray(json.weightsManifest)) {
    throw invalid(`${label}: not a TF.js LayersModel (model.json needs "modelTopology" and "weightsManifest").`);
  }
  if (json.format !== undefined && json.format !== null && typeof json.format !== 'string') throw invalid(`${label}: "format" must be a string.`);
  if (json.format && json.format !== 'layers-model') {
    throw invalid(`${label}: format "${json.format.slice(0, 100)}" is a TF.js graph model; Tabtune trains LayersModels (Keras models saved with tfjs.converters.save_keras_model).`);
  }
  checkManifest(json.weightsManifest as unknown[], label);
  checkTopology(json.modelTopology, label);
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
