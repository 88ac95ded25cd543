import type { DatasetFile, LayerSummary, ModelSummary } from '../api.ts';
import { EngineError } from '../errors.ts';
import { loraSupported } from '../lora/plan.ts';
import { modelFromArtifacts, readModelArtifacts } from './modelArtifacts.ts';
import { createTabularMlp, type TabularMlpSpec } from './tabularMlp.ts';
import { tf, type LayersModel } from '../tf.ts';

/** Optional `tabtune.json` beside model.json: how to feed the model and where to cut it. */
export interface BaseModelMeta {
  name?: string;
  description?: string;
  /** Multiplies 0-255 pixel values; the built-in model wants 1/255. */
  pixelScale?: number;
  featureLayer?: string;
}

export interface BaseModel {
  /** Where it came from, for messages and manifests: a URL or the dropped model.json's path. */
  url: string;
  source: ModelSource;
  model: LayersModel;
  /** The model cut at the feature layer: image [B, H, W, C] -> features [B, F]. */
  features: LayersModel;
  summary: ModelSummary;
  pixelScale: number;
}

function paramCount(layer: tf.layers.Layer): number {
  return layer.countParams();
}

function shapeOf(layer: tf.layers.Layer): number[] {
  const out = layer.outputShape;
  const shape = (Array.isArray(out[0]) ? out[0] : out) as (number | null)[];
  return shape.slice(1).map((d) => d ?? -1);
}

/**
 * Where to cut a model without metadata: at the input of its last layer with weights (the old head).
 * Layers after it (a separate softmax Activation, say) are dropped with it, so the new head never
 * sits on top of the old head's logits.
 */
function defaultFeatureLayer(model: LayersModel, url: string): string {
  const head = [...model.layers].reverse().find((l) => l.countParams() > 0);
  const feeding = head?.inboundNodes[0]?.inboundLayers[0];
  if (!head || !feeding || feeding.getClassName() === 'InputLayer') {
    throw new EngineError('model-unsupported', `${url}: the model has no layer before its last weighted layer to attach a new head to; it needs a body and a head.`);
  }
  return feeding.name;
}

/**
 * Wraps a LayersModel as a frozen base: everything up to `featureLayer` (default: the layer before
 * the last, i.e. the original head is dropped) becomes a feature extractor.
 */
export function asBaseModel(model: LayersModel, url: string, meta: BaseModelMeta = {}, source: ModelSource = { kind: 'url', url }): BaseModel {
  const layers = model.layers;
  if (layers.length < 2) throw new EngineError('model-unsupported', `${url}: the model has ${layers.length} layer(s); a base model needs at least a body and a head.`);
  const featureName = meta.featureLayer ?? defaultFeatureLayer(model, url);
  let featureLayer: tf.layers.Layer;
  try {
    featureLayer = model.getLayer(featureName);
  } catch {
    throw new EngineError('model-unsupported', `${url}: tabtune.json names feature layer "${featureName}", which the model does not have.`);
  }
  const featureShape = shapeOf(featureLayer);
  if (featureShape.length !== 1) {
    throw new EngineError('model-unsupported', `${url}: feature layer "${featureName}" outputs shape [${featureShape.join(', ')}]; the head needs a flat vector (add a pooling or Flatten layer).`);
  }
  const inputShape = (model.inputs[0]?.shape ?? []).slice(1) as number[];
  const inputKind = inputShape.length === 1 ? 'vector' : 'image';
  if ((inputShape.length !== 3 && inputShape.length !== 1) || inputShape.some((d) => !(d > 0))) {
    throw new EngineError(
      'model-unsupported',
      `${url}: input shape [${inputShape.join(', ')}] is neither a fixed [height, width, channels] image nor a [features] vector.`,
    );
  }
  if (inputKind === 'image' && ![1, 3, 4].includes(inputShape[2] as number)) {
    throw new EngineError('model-unsupported', `${url}: the model takes ${inputShape[2]} channels per pixel; images give 1 (grey), 3 (RGB) or 4 (RGBA).`);
  }
  const features = tf.model({ inputs: model.inputs, outputs: featureLayer.output as tf.SymbolicTensor });
  features.trainable = false;

  const cut = layers.indexOf(featureLayer);
  const baseLayers: LayerSummary[] = layers.slice(0, cut + 1).map((layer) => ({
    name: layer.name,
    className: layer.getClassName(),
    outputShape: shapeOf(layer),
    params: paramCount(layer),
    loraSupported: loraSupported(layer),
    trainable: false,
  }));
  const summary: ModelSummary = {
    name: meta.name ?? url.split('/').slice(-2, -1)[0] ?? 'model',
    description: meta.description ?? '',
    inputKind,
    inputShape,
    layers: baseLayers,
    featureLayer: featureName,
    featureSize: featureShape[0] as number,
    totalParams: baseLayers.reduce((a, l) => a + l.params, 0),
  };
  return { url, source, model, features, summary, pixelScale: meta.pixelScale ?? 1 / 255 };
}

/** Where a base model comes from, kept so it can be loaded again (a backend switch, a private training copy). */
export type ModelSource =
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: DatasetFile[] }
  /** A seeded MLP built for a table: the same spec builds the same weights. */
  | { kind: 'mlp'; spec: TabularMlpSpec };

export function loadBase(source: ModelSource, fetchFn: typeof fetch = fetch): Promise<BaseModel> {
  if (source.kind === 'mlp') return Promise.resolve(tabularMlpBase(source.spec));
  return source.kind === 'url' ? loadBaseModel(source.url, fetchFn) : loadBaseModelFiles(source.files);
}

/** The MLP as a base model: its hidden layers are the body, its output layer the head to replace. */
export function tabularMlpBase(spec: TabularMlpSpec): BaseModel {
  const model = createTabularMlp(spec);
  const widths = [spec.inputs, ...spec.hidden].join(' → ');
  return asBaseModel(
    model,
    `mlp:${widths}`,
    { name: `MLP ${widths}`, description: 'A small network built for this table (seeded, not pre-trained): train its layers, or attach LoRA.' },
    { kind: 'mlp', spec },
  );
}

/** Loads model.json, its shards and (if there is one) tabtune.json beside it from a URL. */
export async function loadBaseModel(modelJsonUrl: string, fetchFn: typeof fetch = fetch): Promise<BaseModel> {
  const text = await fetchModelJson(modelJsonUrl, fetchFn);
  const readShard = async (path: string): Promise<Uint8Array | null> => {
    const res = await fetchFn(new URL(path, modelJsonUrl).href).catch(() => null);
    if (!res || !res.ok || (res.headers.get('content-type') ?? '').includes('html')) return null;
    return new Uint8Array(await res.arrayBuffer());
  };
  const model = await modelFromArtifacts(await readModelArtifacts(text, readShard, modelJsonUrl), modelJsonUrl);
  let meta: BaseModelMeta = {};
  try {
    const res = await fetchFn(new URL('tabtune.json', modelJsonUrl).href);
    if (res.ok && !(res.headers.get('content-type') ?? '').includes('html')) meta = (await res.json()) as BaseModelMeta;
  } catch {
    // tabtune.json is optional: a plain TF.js model is fed 0-1 pixels and cut before its last layer.
  }
  return asBaseModel(model, modelJsonUrl, meta, { kind: 'url', url: modelJsonUrl });
}

/** Loads a model from dropped files: model.json, the shards it lists (beside it), and an optional tabtune.json. */
export async function loadBaseModelFiles(files: DatasetFile[]): Promise<BaseModel> {
  const jsons = files.filter((f) => f.path.split('/').pop() === 'model.json');
  if (jsons.length === 0) {
    throw new EngineError('model-not-found', `No model.json among the ${files.length} dropped file(s). Drop a TF.js LayersModel: model.json with its weight files (*.bin).`);
  }
  if (jsons.length > 1) {
    throw new EngineError('model-invalid', `Several model.json files were dropped (${jsons.map((f) => f.path).join(', ')}). Drop one model at a time.`);
  }
  const modelJson = jsons[0] as DatasetFile;
  const dir = modelJson.path.includes('/') ? modelJson.path.slice(0, modelJson.path.lastIndexOf('/') + 1) : '';
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  const beside = (name: string) => byPath.get(dir + name.replace(/^\.\//, ''));
  const readShard = async (path: string) => {
    const file = beside(path);
    return file ? new Uint8Array(await file.arrayBuffer()) : null;
  };
  const label = modelJson.path;
  const model = await modelFromArtifacts(await readModelArtifacts(await modelJson.file.text(), readShard, label), label);
  let meta: BaseModelMeta = {};
  const metaFile = beside('tabtune.json');
  if (metaFile) {
    let raw: unknown;
    try {
      raw = JSON.parse(await metaFile.text());
    } catch (e) {
      throw new EngineError('model-invalid', `${dir}tabtune.json: not valid JSON (${(e as Error).message}). Fix or remove it (it is optional).`);
    }
    meta = checkMeta(raw, `${dir}tabtune.json`);
  }
  return asBaseModel(model, label, meta, { kind: 'files', files });
}

/** tabtune.json's fields with the types they must have; anything else is refused with the file's name. */
function checkMeta(raw: unknown, where: string): BaseModelMeta {
  const bad = (message: string) => new EngineError('model-invalid', `${where}: ${message} Fix or remove it (it is optional).`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('not a JSON object.');
  const m = raw as Record<string, unknown>;
  for (const key of ['name', 'description', 'featureLayer'] as const) {
    if (m[key] !== undefined && (typeof m[key] !== 'string' || m[key].length > 10_000)) throw bad(`"${key}" must be a string.`);
  }
  if (m.pixelScale !== undefined && !(typeof m.pixelScale === 'number' && Number.isFinite(m.pixelScale) && m.pixelScale > 0)) {
    throw bad('"pixelScale" must be a positive number (1/255 for 0-1 inputs).');
  }
  return { name: m.name as string | undefined, description: m.description as string | undefined, pixelScale: m.pixelScale as number | undefined, featureLayer: m.featureLayer as string | undefined };
}

/**
 * Fetches model.json, turning the common failures into plain words: not found, or an HTML page in
 * its place (a server's fallback for a missing file).
 */
async function fetchModelJson(url: string, fetchFn: typeof fetch): Promise<string> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new EngineError('model-not-found', `${url}: could not be fetched (${(e as Error).message}). Check the address and that the server is running.`);
  }
  if (!res.ok) throw new EngineError('model-not-found', `${url}: the server answered HTTP ${res.status}. Check the address.`);
  const text = await res.text();
  if (/^\s*</.test(text)) {
    throw new EngineError('model-not-found', `${url}: the server returned a web page, not model.json (the file is probably missing there).`);
  }
  return text;
}
