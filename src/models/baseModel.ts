import type { LayerSummary, ModelSummary } from '../api.ts';
import { EngineError } from '../errors.ts';
import { loraSupported } from '../lora/plan.ts';
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
  url: string;
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
 * Wraps a LayersModel as a frozen base: everything up to `featureLayer` (default: the layer before
 * the last, i.e. the original head is dropped) becomes a feature extractor.
 */
export function asBaseModel(model: LayersModel, url: string, meta: BaseModelMeta = {}): BaseModel {
  const layers = model.layers;
  if (layers.length < 2) throw new EngineError('model-unsupported', `${url}: the model has ${layers.length} layer(s); a base model needs at least a body and a head.`);
  const featureName = meta.featureLayer ?? (layers[layers.length - 2] as tf.layers.Layer).name;
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
  if (inputShape.length !== 3 || inputShape.some((d) => !(d > 0))) {
    throw new EngineError('model-unsupported', `${url}: input shape [${inputShape.join(', ')}] is not a fixed [height, width, channels] image.`);
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
    inputShape: inputShape as [number, number, number],
    layers: baseLayers,
    featureLayer: featureName,
    featureSize: featureShape[0] as number,
    totalParams: baseLayers.reduce((a, l) => a + l.params, 0),
  };
  return { url, model, features, summary, pixelScale: meta.pixelScale ?? 1 / 255 };
}

/** Loads model.json (and tabtune.json beside it, if there is one) from a URL. */
export async function loadBaseModel(modelJsonUrl: string, fetchFn: typeof fetch = fetch): Promise<BaseModel> {
  await checkModelJson(modelJsonUrl, fetchFn);
  let model: LayersModel;
  try {
    // An explicit http handler: TF.js' URL router only routes http(s), so file:// (the command line) needs it.
    model = await tf.loadLayersModel(tf.io.http(modelJsonUrl, { fetchFunc: fetchFn }));
  } catch (e) {
    throw new EngineError('model-load-failed', `${modelJsonUrl}: could not load the model (${(e as Error).message}).`);
  }
  let meta: BaseModelMeta = {};
  try {
    const res = await fetchFn(new URL('tabtune.json', modelJsonUrl).href);
    if (res.ok && !(res.headers.get('content-type') ?? '').includes('html')) meta = (await res.json()) as BaseModelMeta;
  } catch {
    // tabtune.json is optional: a plain TF.js model is fed 0-1 pixels and cut before its last layer.
  }
  return asBaseModel(model, modelJsonUrl, meta);
}

/**
 * Fetches model.json once to turn the common failures into plain words before TF.js sees it:
 * not found, an HTML page in its place (a server's fallback), or JSON that is not a LayersModel.
 */
async function checkModelJson(url: string, fetchFn: typeof fetch): Promise<void> {
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EngineError('model-invalid', `${url}: not valid JSON (${(e as Error).message}).`);
  }
  const topology = (json as { modelTopology?: unknown } | null)?.modelTopology;
  if (!topology || !(json as { weightsManifest?: unknown }).weightsManifest) {
    throw new EngineError('model-invalid', `${url}: not a TF.js LayersModel (model.json needs "modelTopology" and "weightsManifest").`);
  }
}
