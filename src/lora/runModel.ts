/**
 * An eager interpreter for TF.js LayersModels (Sequential or functional) that splices LoRA into the
 * plan's layers. It follows the model's own graph: each output SymbolicTensor was produced by a node
 * (`sourceLayer.inboundNodes[nodeIndex]`), whose input SymbolicTensors are evaluated first (memoised by
 * id, so branches, merges and shared layers each run once per node). Only what the requested outputs
 * need is computed, so `stopAt` returns features without running the head.
 *
 * For a LoRA layer it computes, without ever forming W + scale*A*B (that would make the step compute
 * the full weight gradient):
 *   Dense:  act(x.W + b + scale * ((dropout(x) . A) . B))
 *   Conv2D: act(conv(x, W) + b + scale * (conv(dropout(x), A) . B))   (A uses the layer's strides,
 *           padding and dilation; B is a 1x1 conv, i.e. a matmul over channels)
 * Every other layer runs as `layer.apply(x, { training })`. Layers with weights that the plan does not
 * set to 'full' or 'lora' run with training = false (BatchNorm keeps its moving statistics); weightless
 * layers (Dropout) follow `training`.
 * Not supported: masks (Embedding mask_zero), layers whose call needs extra symbolic kwargs (RNN initial
 * state), LoRA inside nested models (a nested model runs as one ordinary layer).
 */
import type { Rng } from '../data/rng.ts';
import { EngineError } from '../errors.ts';
import { tf, type LayersModel, type Tensor, type Tensor2D, type Tensor4D } from '../tf.ts';
import type { LoraAdapter, LoraAdapters } from './loraAdapter.ts';
import { findLayer, type TrainPlan } from './plan.ts';

export interface RunOptions {
  plan?: TrainPlan;
  /** Adapters for the plan's LoRA layers (createLoraAdapters / importPeftAdapter). */
  adapters?: LoraAdapters;
  /** Dropout on (Dropout layers, LoRA dropout, 'full' layers' own training behaviour). Default false. */
  training?: boolean;
  /** Return this layer's output instead of the model's outputs (its first node in this model). */
  stopAt?: string;
  /** Seeds LoRA dropout masks (one draw per LoRA layer call); without it TF.js picks random seeds. */
  rng?: Rng;
}

/** The parts of a TF.js graph node the interpreter reads (tfjs-layers does not export `Node`). */
interface GraphNode {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
  outboundLayer: tf.layers.Layer;
}

const unsupported = (message: string): EngineError => new EngineError('lora-model-unsupported', message);

function producingNode(t: tf.SymbolicTensor): GraphNode {
  const node = t.sourceLayer.inboundNodes[t.nodeIndex] as unknown as GraphNode | undefined;
  if (!node) throw unsupported(`tensor "${t.name}" has no producing node in layer "${t.sourceLayer.name}".`);
  return node;
}

/** The SymbolicTensor(s) to compute: the model's outputs, or the stopAt layer's output in this model. */
function targetsOf(model: LayersModel, stopAt: string | undefined): tf.SymbolicTensor[] {
  if (!model.outputs || model.outputs.length === 0) {
    throw unsupported(`model "${model.name}" has no outputs yet; build it (give the first layer an inputShape) before running it.`);
  }
  if (stopAt === undefined) return model.outputs;
  const layer = findLayer(model, stopAt, 'stopAt names');
  const nodes = layer.inboundNodes as unknown as GraphNode[];
  // A layer can be called in several graphs; take its first node that belongs to this model.
  const keys = (model as unknown as { containerNodes?: Set<string> }).containerNodes;
  const index = nodes.findIndex((_, i) => !keys || keys.size === 0 || keys.has(`${layer.name}_ib-${i}`));
  const node = nodes[index];
  if (!node) throw unsupported(`layer "${stopAt}" is not called in model "${model.name}".`);
  return node.outputTensors;
}

const activationLayers = new WeakMap<tf.layers.Layer, tf.layers.Layer>();

/** The layer's own activation as a standalone Activation layer (same function the layer applies). */
function activationOf(layer: tf.layers.Layer): tf.layers.Layer | null {
  const name = layer.getConfig().activation;
  if (name === undefined || name === null || name === 'linear') return null;
  let act = activationLayers.get(layer);
  if (!act) {
    act = tf.layers.activation({ activation: name as Parameters<typeof tf.layers.activation>[0]['activation'] });
    activationLayers.set(layer, act);
  }
  return act;
}

function pair(v: unknown, what: string, layer: string): [number, number] {
  const arr = Array.isArray(v) ? v : [v, v];
  if (arr.length !== 2 || !arr.every((n) => Number.isInteger(n) && n >= 1)) throw unsupported(`layer "${layer}": cannot read ${what} ${JSON.stringify(v)}.`);
  return arr as [number, number];
}

/** Strides, padding and dilation of a Conv2D layer, as tf.conv2d takes them. */
export function convGeometry(layer: tf.layers.Layer): { strides: [number, number]; pad: 'same' | 'valid'; dilations: [number, number] } {
  const c = layer.getConfig();
  if ((c.dataFormat ?? 'channelsLast') !== 'channelsLast') throw unsupported(`layer "${layer.name}": only channelsLast Conv2D layers take LoRA.`);
  const pad = c.padding;
  if (pad !== 'same' && pad !== 'valid') throw unsupported(`layer "${layer.name}": padding "${String(pad)}" is not supported for LoRA.`);
  return { strides: pair(c.strides ?? 1, 'strides', layer.name), pad, dilations: pair(c.dilationRate ?? 1, 'dilationRate', layer.name) };
}

function maybeDropout(x: Tensor, rate: number, training: boolean, rng: Rng | undefined): Tensor {
  if (!training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, rng ? Math.floor(rng() * 2 ** 31) : undefined);
}

function kernelAndBias(layer: tf.layers.Layer): { kernel: Tensor; bias: Tensor | undefined } {
  const [k, b] = layer.weights;
  if (!k) throw unsupported(`layer "${layer.name}" has no kernel (not built).`);
  return { kernel: k.read(), bias: layer.getConfig().useBias === false ? undefined : b?.read() };
}

/** Dense with LoRA: act(x.W + b + scale * ((dropout(x).A).B)); x [..., in] -> [..., out]. */
function loraDense(layer: tf.layers.Layer, ad: LoraAdapter, x: Tensor, training: boolean, rng: Rng | undefined): Tensor {
  const { kernel, bias } = kernelAndBias(layer); // kernel [in, out], bias [out]
  const [inDim, outDim] = kernel.shape as [number, number];
  const lead = x.shape.slice(0, -1);
  const x2 = (x.rank === 2 ? x : tf.reshape(x, [-1, inDim])) as Tensor2D; // [N, in]
  const base = tf.fused.matMul({ a: x2, b: kernel as Tensor2D, bias }); // [N, out], as Dense computes it
  const xa = tf.matMul(maybeDropout(x2, ad.dropout, training, rng) as Tensor2D, ad.A as Tensor2D); // [N, r]
  const delta = tf.mul(tf.matMul(xa, ad.B as Tensor2D), ad.scale); // [N, out]
  let pre: Tensor = tf.add(base, delta);
  if (x.rank !== 2) pre = tf.reshape(pre, [...lead, outDim]);
  const act = activationOf(layer);
  return act ? (act.apply(pre) as Tensor) : pre;
}

/** Conv2D with LoRA: act(conv(x, W) + b + scale * (conv(dropout(x), A) . B)); x [N, H, W, in]. */
function loraConv2d(layer: tf.layers.Layer, ad: LoraAdapter, x: Tensor, training: boolean, rng: Rng | undefined): Tensor {
  if (x.rank !== 4) throw unsupported(`layer "${layer.name}": LoRA Conv2D expects a [batch, height, width, channels] input, got rank ${x.rank}.`);
  const { kernel, bias } = kernelAndBias(layer); // kernel [kh, kw, in, out]
  const { strides, pad, dilations } = convGeometry(layer);
  const outDim = kernel.shape[3] as number;
  const x4 = x as Tensor4D;
  const base = tf.fused.conv2d({ x: x4, filter: kernel as Tensor4D, strides, pad, dataFormat: 'NHWC', dilations, bias }); // [N, H', W', out]
  const xa = tf.conv2d(maybeDropout(x4, ad.dropout, training, rng) as Tensor4D, ad.A as Tensor4D, strides, pad, 'NHWC', dilations); // [N, H', W', r]
  const [n, h, w] = xa.shape;
  const delta = tf.mul(tf.matMul(tf.reshape(xa, [-1, ad.r]) as Tensor2D, ad.B as Tensor2D), ad.scale); // [N*H'*W', out]
  const pre = tf.add(base, tf.reshape(delta, [n, h, w, outDim]));
  const act = activationOf(layer);
  return act ? (act.apply(pre) as Tensor) : pre;
}

/**
 * Runs the model on concrete inputs (one tensor per model input, in model.inputs order) and returns
 * every output (or the stopAt layer's outputs). Intermediates are freed; the caller owns the results.
 * Works inside tf.variableGrads: gradients flow to A, B and any 'full' layer variables.
 */
export function runModelOutputs(model: LayersModel, inputs: Tensor | Tensor[], options: RunOptions = {}): Tensor[] {
  const { plan = {}, adapters = new Map<string, LoraAdapter>(), training = false, stopAt, rng } = options;
  const xs = Array.isArray(inputs) ? inputs : [inputs];
  if (xs.length !== model.inputs.length) {
    throw unsupported(`model "${model.name}" takes ${model.inputs.length} input(s); ${xs.length} given.`);
  }
  for (const [name, mode] of Object.entries(plan)) {
    if (mode.kind === 'lora' && !adapters.has(name)) throw new EngineError('lora-plan-invalid', `layer "${name}" is planned as LoRA but has no adapter; create the adapters from the same plan.`);
  }
  const targets = targetsOf(model, stopAt);
  return tf.tidy(() => {
    const values = new Map<number, Tensor>();
    model.inputs.forEach((t, i) => values.set(t.id, xs[i] as Tensor));
    const evaluate = (t: tf.SymbolicTensor): Tensor => {
      const known = values.get(t.id);
      if (known) return known;
      const node = producingNode(t);
      const layer = node.outboundLayer;
      const ins = node.inputTensors.map(evaluate);
      if (ins.length === 0) throw unsupported(`tensor "${t.name}" comes from layer "${layer.name}", which is not one of the model's inputs.`);
      const mode = plan[layer.name];
      const adapter = adapters.get(layer.name);
      let out: Tensor | Tensor[];
      if (mode?.kind === 'lora' && adapter) {
        if (ins.length !== 1) throw unsupported(`layer "${layer.name}" takes ${ins.length} inputs; LoRA layers take one.`);
        const x = ins[0] as Tensor;
        out = adapter.kind === 'dense' ? loraDense(layer, adapter, x, training, rng) : loraConv2d(layer, adapter, x, training, rng);
      } else {
        const layerTraining = training && (mode?.kind === 'full' || layer.weights.length === 0);
        out = layer.apply(ins.length === 1 ? (ins[0] as Tensor) : ins, { training: layerTraining }) as Tensor | Tensor[];
      }
      const outs = Array.isArray(out) ? out : [out];
      node.outputTensors.forEach((st, i) => {
        const v = outs[i];
        if (!v) throw unsupported(`layer "${layer.name}" returned ${outs.length} output(s); its graph node has ${node.outputTensors.length}.`);
        values.set(st.id, v);
      });
      const result = values.get(t.id);
      if (!result) throw unsupported(`layer "${layer.name}" did not produce tensor "${t.name}".`);
      return result;
    };
    return targets.map(evaluate);
  });
}

/** Single-output form of runModelOutputs: the model's (or stopAt layer's) only output. */
export function runModel(model: LayersModel, inputs: Tensor | Tensor[], options: RunOptions = {}): Tensor {
  const outs = runModelOutputs(model, inputs, options);
  if (outs.length !== 1) {
    tf.dispose(outs);
    throw unsupported(`model "${model.name}" has ${outs.length} outputs; use runModelOutputs.`);
  }
  return outs[0] as Tensor;
}
