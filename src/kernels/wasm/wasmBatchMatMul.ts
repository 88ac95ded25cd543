/**
 * A faster BatchMatMul for the TF.js WASM backend (4.22).
 *
 * Every float32 product runs on our GEMM (gemmBatchMatMul.ts, wasmGemm.ts) where the runtime has
 * WASM SIMD: it reads transposed operands through strides and packs per cache block, 1.3-2x
 * XNNPACK's speed on this project's products with relaxed SIMD, and keeps no packed copy of any
 * weight. What follows is the path for runtimes without SIMD (and for `setWasmGemm(false)`): XNNPACK,
 * reached by rewrites.
 *
 * The stock kernel hands only the plain case (no transposeA, no transposeB) to XNNPACK; with a
 * transposed operand it runs a scalar loop that is 10-30x slower ([512, 576] x [1536, 576]ᵀ: about
 * 1,200 ms against about 80 ms plain, docs/benchmarks.md). Every Hugging Face projection (x·Wᵀ with
 * W stored [out, in]), every input gradient through a frozen weight (dy·W, the gradient of x·W is
 * dy·Wᵀ) and every weight gradient (xᵀ·dy) asks for one. Transposing the operand explicitly first
 * (the last two axes, a copy at memory speed) and then running the plain kernel gives the same
 * numbers (the same sums in the same order per output) at the plain kernel's speed.
 *
 * Two more slow cases, found by profiling a SmolLM2-shaped LoRA step (docs/benchmarks.md):
 * - Batched products ([B·H, T, D], attention) never reach XNNPACK: the stock kernel runs its scalar
 *   loop whenever the batch is over 1 (~1 GFLOP/s). The same sums are a depthwise convolution, which
 *   XNNPACK runs (threaded, too): with A [G, M, K] seen as an image [1, M, K, G] (G channels) and B
 *   [G, K, N] as a [1, K, G, N] filter with channel multiplier N, a 'valid' 1 x K window gives
 *   out[0, m, 0, g·N + n] = Σ_k A[g, m, k]·B[g, k, n]. Transposed operands only change the
 *   permutation that lays them out. 5x faster at [36, 128, 128] x [36, 128, 64].
 * - h·Wᵀ with a large W and few rows of h (the vocabulary head, [170, 576] x [49152, 576]ᵀ): transposing
 *   W and having XNNPACK pack it costs more than the product; (W·hᵀ)ᵀ transposes only h and the
 *   output. Chosen by size: 2|b| > 2|a| + |out|.
 *
 * The gradient is TF.js' own BatchMatMul gradient: it asks for transposed products, which land here.
 */
import { tf } from '../../tf.ts';
import { gemmBatchMatMul } from './gemmBatchMatMul.ts';

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

let rewrites = true;

/** For the bench (`npm run bench -- --scenarios matmul`): false runs every product on TF.js' own kernel, as before this wrapper (no GEMM either). */
export function setWasmMatMulRewrites(on: boolean): void {
  rewrites = on;
}

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

/**
 * a [...G, M, K] (tA: [...G, K, M]) times b [...G, K, N] (tB: [...G, N, K]), the same batch shape
 * G on both, as one depthwise convolution -> [...G, M, N].
 */
function batchedByDepthwise(a: tf.Tensor, b: tf.Tensor, tA: boolean, tB: boolean): tf.Tensor {
  return tf.tidy(() => {
    const batch = a.shape.slice(0, -2);
    const g = size(batch);
    const [ar, ac] = a.shape.slice(-2) as [number, number];
    const [br, bc] = b.shape.slice(-2) as [number, number];
    const [m, k] = tA ? [ac, ar] : [ar, ac];
    const n = tB ? br : bc;
    const a3 = tf.reshape(a, [g, ar, ac]);
    const b3 = tf.reshape(b, [g, br, bc]);
    const image = tf.reshape(tf.transpose(a3, tA ? [2, 1, 0] : [1, 2, 0]), [1, m, k, g]); // [1, M, K, G]
    const filter = tf.reshape(tf.transpose(b3, tB ? [2, 0, 1] : [1, 0, 2]), [1, k, g, n]); // [1, K, G, N]
    const out = tf.depthwiseConv2d(image as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid'); // [1, M, 1, G·N]
    return tf.reshape(tf.transpose(tf.reshape(out, [m, g, n]), [1, 0, 2]), [...batch, m, n]); // [...G, M, N]
  });
}

function transposeThenMultiply(plain: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
    // The engine passes the op's own Tensors as inputs, so ops can run on them directly.
    if (!rewrites || !(a instanceof tf.Tensor) || !(b instanceof tf.Tensor)) return plain(args);
    const viaGemm = gemmBatchMatMul(args.backend, a, b, attrs.transposeA, attrs.transposeB);
    if (viaGemm) return viaGemm;
    const batchA: number[] = a.shape.slice(0, -2);
    const sameBatch = batchA.length === b.rank - 2 && batchA.every((d: number, i: number) => d === b.shape[i]);
    if (sameBatch && size(batchA) > 1) return batchedByDepthwise(a, b, attrs.transposeA, attrs.transposeB);
    if (!(attrs.transposeA || attrs.transposeB)) return plain(args);
    if (attrs.transposeB && !attrs.transposeA && a.rank === 2 && b.rank === 2) {
      const [m, , n] = [a.shape[0]!, a.shape[1]!, b.shape[0]!];
      // (b·aᵀ)ᵀ: b is multiplied as it is; only a and the output are transposed.
      if (2 * b.size > 2 * a.size + m * n) {
        return tf.tidy(() => tf.transpose(tf.matMul(b, tf.transpose(a)))); // [M, N]
      }
    }
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
