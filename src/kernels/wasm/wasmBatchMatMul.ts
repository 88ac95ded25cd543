/**
 * A faster BatchMatMul for the TF.js WASM backend (4.22) when an operand is transposed.
 *
 * The stock kernel hands only the plain case (no transposeA, no transposeB) to XNNPACK; with a
 * transposed operand it runs a scalar loop that is 10-30x slower ([512, 576] x [1536, 576]ᵀ: about
 * 1,200 ms against about 80 ms plain, docs/benchmarks.md). Every Hugging Face projection (x·Wᵀ with
 * W stored [out, in]), every input gradient through a frozen weight (dy·W, the gradient of x·W is
 * dy·Wᵀ) and every weight gradient (xᵀ·dy) asks for one. Transposing the operand explicitly first
 * (the last two axes, a copy at memory speed) and then running the plain kernel gives the same
 * numbers (the same sums in the same order per output) at the plain kernel's speed.
 *
 * The gradient is TF.js' own BatchMatMul gradient: it asks for transposed products, which land here.
 */
import { tf } from '../../tf.ts';

/** Replaces the backend's BatchMatMul; the original runs every product, on untransposed operands. */
export function registerWasmBatchMatMul(backendName = 'wasm'): void {
  const original = tf.getKernel(tf.BatchMatMul, backendName);
  if (original === undefined) throw new Error(`${backendName} has no ${tf.BatchMatMul} kernel to wrap`);
  if ((original as { transposesFirst?: boolean }).transposesFirst === true) return;
  tf.unregisterKernel(tf.BatchMatMul, backendName);
  const config: tf.KernelConfig & { transposesFirst: true } = {
    kernelName: tf.BatchMatMul,
    backendName,
    // The original's setup binds its wasm function when the backend initialises: it must still run.
    ...(original.setupFunc === undefined ? {} : { setupFunc: original.setupFunc }),
    ...(original.disposeFunc === undefined ? {} : { disposeFunc: original.disposeFunc }),
    kernelFunc: transposeThenMultiply(original.kernelFunc),
    transposesFirst: true,
  };
  tf.registerKernel(config);
}

/** [..., r, c] -> [..., c, r]. */
function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1]!, perm[n - 2]!];
  return tf.transpose(t, perm);
}

function transposeThenMultiply(plain: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
    // The engine passes the op's own Tensors as inputs, so ops can run on them directly.
    if (!(attrs.transposeA || attrs.transposeB) || !(a instanceof tf.Tensor) || !(b instanceof tf.Tensor)) return plain(args);
    const aa = attrs.transposeA ? swapLastTwo(a) : a; // [..., M, K]
    const bb = attrs.transposeB ? swapLastTwo(b) : b; // [..., K, N]
    try {
      return plain({ ...args, inputs: { a: aa, b: bb }, attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap });
    } finally {
      // The product is computed (wasm runs synchronously): the transposed copies can go.
      if (aa !== a) aa.dispose();
      if (bb !== b) bb.dispose();
    }
  };
}
