/**
 * TF.js' engine.gradients with the backward pass freeing what it is done with (installed once, by
 * src/tf.ts, on the one engine every module shares).
 *
 * Why: TF.js' own backward pass (tfjs-core tape.ts, backpropagateGradients) keeps the gradient of
 * every intermediate tensor and every op's saved inputs until the whole pass ends. A transformer
 * step then peaks at the end of its backward pass holding all blocks' saved activations plus the
 * gradient of every intermediate of every block: measured on SmolLM2-135M's shapes (batch 4 x 128,
 * LoRA on q,v), about 160 MB per block against about 57 MB of saved activations. PyTorch's autograd
 * frees both as it goes. So does this one: the tape is walked backward exactly as TF.js walks it,
 * and once a node's input gradients are computed, its outputs' gradients (no later node can add to
 * them: every consumer comes after the producer on the tape) and its saved tensors are disposed.
 * Each node's gradient runs in a tf.tidy of its own, so the temporaries of custom gradients, which
 * compute eagerly, go with it too.
 *
 * The values are TF.js' to the bit: same nodes, same order, same gradient functions, same sums.
 * Only at gradient depth 0 (the usual tf.grad / variableGrads / optimizer.minimize call);
 * higher-order gradients keep TF.js' own pass, whose outer tape may still need the saved tensors.
 */
import * as tf from '@tensorflow/tfjs';

type Tensor = tf.Tensor;

/** The part of a TF.js tape node (tfjs-core tape.ts, TapeNode) the backward pass reads. */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, Tensor>;
  outputs: Tensor[];
  gradient?: (dys: (Tensor | null)[]) => Record<string, () => Tensor>;
  saved?: Tensor[];
}

/** The engine's private members this file uses (tfjs-core engine.ts). */
interface EngineInternals {
  state: { gradientDepth: number; activeTape: TapeNode[] | null };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
  gradients: Gradients;
}

type Gradients = (f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients?: boolean) => { value: Tensor; grads: Tensor[] };

/**
 * The nodes on a path from xs to y, in tape order, each with its inputs pruned to those that depend
 * on xs (only their gradients are computed). As tfjs-core's getFilteredNodesXToY, which TF.js does
 * not export.
 */
function nodesFromXsToY(tape: TapeNode[], xs: Tensor[], y: Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      nodesFromX.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (!node.outputs.some((o) => toY.has(o.id))) continue;
    nodesToY.add(node.id);
    for (const t of Object.values(node.inputs)) toY.add(t.id);
  }
  return tape
    .filter((node) => nodesFromX.has(node.id) && nodesToY.has(node.id))
    .map((node) => ({ ...node, inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, t]) => fromX.has(t.id))) }));
}

/** The id the next tensor will get: tensors with a smaller id existed before (tfjs-core's Engine.nextTensorId). */
function nextTensorId(): number {
  return (tf.engine().constructor as unknown as { nextTensorId: number }).nextTensorId;
}

/** Walks the filtered tape backward as tfjs-core's backpropagateGradients does, freeing as it goes. */
function backprop(grads: Map<number, Tensor>, tape: TapeNode[], keep: Set<number>): void {
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    const dys = node.outputs.map((o) => grads.get(o.id) ?? null);
    if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    const madeFrom = nextTensorId();
    // One tidy around the node's whole gradient: a custom gradient (tf.customGrad: the norms, the
    // attention softmax, the rotary embedding) computes its input gradients eagerly inside
    // node.gradient, and its temporaries would otherwise stay until the whole backward pass ends
    // (measured on SmolLM2's shapes: about 17 MB per block, the step's peak at the end of the pass).
    const dxs = tf.tidy(() => {
      const inputGradients = node.gradient!(dys);
      const out: Record<string, Tensor> = {};
      for (const [name, x] of Object.entries(node.inputs)) {
        const thunk = inputGradients[name];
        if (!thunk) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`);
        const dx = thunk();
        if (dx.dtype !== 'float32') throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`);
        if (!tf.util.arraysEqual(dx.shape, x.shape))
          throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`);
        out[name] = dx;
      }
      return out;
    });
    // A gradient function may hand back a tensor that lives on elsewhere (a dy, a saved tensor), or
    // one tensor for two inputs: the map holds its own reference (a clone shares the buffer), so
    // freeing it never frees theirs. All clones are made before any gradient is summed and freed.
    const taken = new Set<number>();
    const owned = Object.entries(node.inputs).map(([name, x]): [Tensor, Tensor] => {
      const dx = dxs[name]!;
      const own = dx.id < madeFrom || taken.has(dx.id) ? dx.clone() : dx;
      taken.add(dx.id);
      return [x, own];
    });
    for (const [x, dx] of owned) {
      const sum = grads.get(x.id);
      if (sum) {
        grads.set(x.id, tf.add(sum, dx));
        sum.dispose();
        dx.dispose();
      } else grads.set(x.id, dx);
    }
    // Every consumer of this node's outputs came later on the tape and is done: their gradients and
    // this node's saved tensors are not needed again.
    for (const o of node.outputs) {
      if (keep.has(o.id)) continue;
      grads.get(o.id)?.dispose();
      grads.delete(o.id);
    }
    for (const t of node.saved ?? []) t.dispose();
  }
}

type PatchedEngine = EngineInternals & { stockGradients?: Gradients };

/** TF.js' own engine.gradients, for side-by-side tests (eagerGradients.test.ts). */
export function stockGradients(): Gradients {
  const engine = tf.engine() as unknown as PatchedEngine;
  return engine.stockGradients ?? engine.gradients;
}

/** Replaces the shared engine's `gradients` (idempotent). */
export function installEagerGradients(): void {
  const engine = tf.engine() as unknown as PatchedEngine;
  if (engine.stockGradients) return;
  const stock = engine.gradients.bind(engine);
  engine.stockGradients = stock;
  engine.gradients = (f, xs, dy, allowNoGradients = false) => {
    if (engine.state.gradientDepth !== 0) return stock(f, xs, dy, allowNoGradients);
    if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
    if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
    const y = engine.scopedRun(
      () => engine.startTape(),
      () => engine.endTape(),
      () => engine.tidy('forward', f),
    );
    if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
    const tape = engine.state.activeTape ?? [];
    const filtered = nodesFromXsToY(tape, xs, y);
    if (!allowNoGradients && filtered.length === 0)
      throw new Error('Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.');
    // Saved tensors of nodes off every path from xs to y are never read.
    const onPath = new Set(filtered.map((n) => n.id));
    for (const node of tape) if (!onPath.has(node.id)) for (const t of node.saved ?? []) t.dispose();
    return engine.tidy('backward', () => {
      const grads = new Map<number, Tensor>([[y.id, dy == null ? tf.ones(y.shape) : dy.clone()]]);
      backprop(grads, filtered, new Set(xs.map((x) => x.id)));
      const out = xs.map((x) => grads.get(x.id)!);
      for (const node of tape) for (const t of node.saved ?? []) t.dispose();
      engine.state.activeTape = null;
      return { value: y, grads: out } as unknown as tf.TensorContainer;
    }) as unknown as { value: Tensor; grads: Tensor[] };
  };
}
