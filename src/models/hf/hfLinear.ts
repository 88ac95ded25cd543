/**
 * One linear projection of a causal LM with its optional LoRA adapter:
 *   y = x·W (+ b) + scale * (dropout(x) · Aᵀ) · Bᵀ
 * The adapter stays a separate low-rank path (never merged into W here), so gradients reach A and B
 * only and the base weights are never copied.
 */
import { EngineError } from '../../errors.ts';
import { fusedLoraLinear } from '../../kernels/fusedLoraLinear.ts';
import { addNoSave } from '../../kernels/noSaveOps.ts';
import { linear } from '../../kernels/halfMatMul.ts';
import { tf, type Tensor, type Tensor2D, type Variable } from '../../tf.ts';
import type { HfCausalLm, LinearModule, LmLora } from './hfTypes.ts';

export interface ForwardContext {
  lm: HfCausalLm;
  lora?: LmLora;
  training: boolean;
  /** Undefined: dropout masks come from Math.random. */
  dropoutSeed: number | undefined;
  /** Module path -> [module, index]; the index varies the dropout seed per module. */
  modules: Map<string, [LinearModule, number]>;
  /** Gradient checkpointing per block (recomputeBlock.ts). */
  recompute: boolean;
  /** A KV cache is being filled: each block's keys and values must outlive the block. */
  decoding: boolean;
}

export function forwardContext(lm: HfCausalLm, lora: LmLora | undefined, training: boolean, dropoutSeed?: number): ForwardContext {
  const modules = new Map<string, [LinearModule, number]>(lm.modules.map((m, i) => [m.path, [m, i]]));
  if (lora) {
    for (const path of lora.keys())
      if (!modules.has(path))
        throw new EngineError('lora-plan-invalid', `the LoRA adapter targets "${path}", which is not a linear projection of this ${lm.config.architecture} model; check the adapter's target modules.`);
  }
  return { lm, lora, training, dropoutSeed, modules, recompute: false, decoding: false };
}

/** A weight by tensor name; a missing one means the model object was built by hand or disposed. */
export function weight(lm: HfCausalLm, name: string): Variable {
  const w = lm.weights.get(name);
  if (!w) throw new EngineError('hf-weights-missing', `the model has no weight "${name}"; it may have been disposed. Load it again.`);
  return w;
}

/** A vocabulary table as its row chunks: the loaded chunks of a split table, or the whole weight as one. */
export function tableChunks(lm: HfCausalLm, name: string): Variable[] {
  return lm.rowChunks?.get(name) ?? [weight(lm, name)];
}

/** Every weight by tensor name, a split table as its chunks: what export and counting walk. */
export function* allWeights(lm: HfCausalLm): Generator<[string, Variable[]]> {
  for (const [name, v] of lm.weights) yield [name, [v]];
  if (lm.rowChunks) yield* lm.rowChunks;
}

/** x [N, in] -> [N, out] through the module at `path`. */
export function hfLinear(ctx: ForwardContext, path: string, x: Tensor): Tensor {
  const entry = ctx.modules.get(path);
  if (!entry) throw new EngineError('internal', `no linear module "${path}".`);
  const [mod, index] = entry;
  const w = weight(ctx.lm, `${path}.weight`);
  const lora = ctx.lora?.get(path);
  const bias = mod.hasBias ? weight(ctx.lm, `${path}.bias`) : undefined;
  // A frozen projection with its adapter (no dropout to apply) is one op, fused where the backend has
  // a kernel for it (WebGPU: 2 dispatches forward), the same op sequence as below elsewhere.
  if (lora && x.rank === 2 && !w.trainable && !bias?.trainable && !(ctx.training && lora.dropout > 0))
    return fusedLoraLinear({ x: x as Tensor2D, w: w as Tensor2D, bias, a: lora.A as Tensor2D, b: lora.B as Tensor2D, scale: lora.scale, transposeW: !mod.fanInFanOut });
  // Conv1D (gpt2) keeps W as [in, out]; nn.Linear keeps [out, in] and is applied as x·Wᵀ.
  const y = linear(x, w, !mod.fanInFanOut, bias); // [N, out]
  if (!lora) return y;
  const dropped = ctx.training && lora.dropout > 0 ? tf.dropout(x, lora.dropout, undefined, ctx.dropoutSeed === undefined ? undefined : ctx.dropoutSeed + 7919 * index) : x;
  const low = tf.mul(tf.matMul(dropped, lora.A, false, true), lora.scale); // [N, r], scaled on the small side (fusedLoraLinearReference.ts)
  return addNoSave(y, tf.matMul(low, lora.B, false, true)); // [N, out]
}
