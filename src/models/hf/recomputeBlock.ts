/**
 * Gradient checkpointing per transformer block (activation recomputation, as transformers'
 * gradient_checkpointing_enable): the forward pass keeps only each block's input; the backward pass
 * runs the block's forward again, this time on a gradient tape, and takes the gradients of its
 * input and of its trainable weights (LoRA A/B, fully trained projections) from that.
 *
 * Why it matters here: without it a step holds every block's saved activations until the backward
 * pass reaches that block (eagerGradients.ts frees them then); with it, each block's input, and one
 * block's activations at a time. The plan turns it on when a run would not fit otherwise.
 *
 * Built on tf.customGrad. The block's trainable variables are passed as inputs (a variable only
 * read inside a customGrad would get no gradient). Tensors the block reads that were made earlier
 * in the forward pass (attention bias, rotary tables) must be passed in `consts`: TF.js frees the
 * forward pass's intermediates before the backward pass, and save() keeps them alive. Dropout must
 * be seeded (the recomputed mask must equal the first one), which training always does.
 */
import { EngineError } from '../../errors.ts';
import { tf, type Tensor, type Variable } from '../../tf.ts';
import type { ForwardContext } from './hfLinear.ts';

/** Trainable variables the block at `layer` reads: its adapters' A and B, and fully trained weights. */
function blockVariables(ctx: ForwardContext, layer: number): Variable[] {
  const out: Variable[] = [];
  for (const [path, [mod]] of ctx.modules) {
    if (mod.layer !== layer) continue;
    const lora = ctx.lora?.get(path);
    if (lora) out.push(lora.A, lora.B);
    for (const name of [`${path}.weight`, `${path}.bias`]) {
      const w = ctx.lm.weights.get(name);
      if (w?.trainable) out.push(w);
    }
  }
  return out;
}

/**
 * Gradients of `f` at xs with dy, from inside another backward pass. TF.js' engine.gradients, run
 * at gradient depth 0, starts a fresh tape in engine.state.activeTape and sets it to null when done;
 * the outer backward pass still needs its own tape there at its end, so it is put back.
 */
function nestedGradients(f: () => Tensor, xs: Tensor[], dy: Tensor): Tensor[] {
  const state = tf.engine().state;
  const outer = state.activeTape;
  try {
    const { value, grads } = tf.engine().gradients(f, xs, dy, true);
    value.dispose(); // the recomputed output: only its gradients are wanted
    return grads;
  } finally {
    state.activeTape = outer;
  }
}

/**
 * h [N, C] -> block(h, ...consts) [N, C]. With ctx.recompute off (inference, or a run that fits),
 * just the block (in a tf.tidy on a tape); on, the checkpointed block (or, without a gradient tape, the block in a tf.tidy). `block` must use only h, consts, weights and adapters.
 */
export function recomputeBlock(ctx: ForwardContext, layer: number, h: Tensor, consts: Tensor[], block: (h: Tensor, consts: Tensor[]) => Tensor): Tensor {
  if (!ctx.recompute) {
    // On a gradient tape the block runs in a tf.tidy: the tape holds its own references to what the
    // backward pass reads, so the rest of the block's intermediates go as the block ends, not when the
    // whole forward pass does. Not while filling a KV cache, whose keys and values outlive the block.
    return tf.engine().isTapeOn() && !ctx.decoding ? tf.tidy(() => block(h, consts)) : block(h, consts);
  }
  // No tape (a preference run's reference pass, a validation pass): one block at a time still, each block's intermediates freed as it ends.
  if (!tf.engine().isTapeOn()) return tf.tidy(() => block(h, consts));
  const dropout = [...(ctx.lora?.values() ?? [])].some((l) => l.dropout > 0);
  if (ctx.training && dropout && ctx.dropoutSeed === undefined)
    throw new EngineError('internal', 'gradient checkpointing with LoRA dropout needs a dropout seed, so the recomputed masks equal the first ones.');
  const vars = blockVariables(ctx, layer);
  const run = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const save = args.at(-1) as tf.GradSaveFunc;
    // The input and the forward pass's own tensors, kept for the recomputation.
    save([h, ...consts]);
    const value = tf.tidy(() => block(h, consts));
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [hIn, ...kept] = saved as [Tensor, ...Tensor[]];
        const grads = nestedGradients(() => block(hIn, kept), [hIn, ...vars], dy);
        // A weight the block did not reach (cannot happen for its own adapters) gets zeros.
        return grads.map((g, i) => g ?? tf.zerosLike(i === 0 ? hIn : vars[i - 1]!));
      },
    };
  });
  return run(h, ...vars);
}
