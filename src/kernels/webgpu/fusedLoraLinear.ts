/**
 * A LoRA projection as one op on TF.js' WebGPU backend:
 *   y = x·op(W) (+ b) + s * (x·Aᵀ)·Bᵀ
 * x [N, in]; W [in, out] (gpt2's Conv1D) or [out, in] (nn.Linear, transposeW); A [r, in]; B [out, r].
 *
 * Forward: 2 dispatches (low = x·Aᵀ [N, r], then a tiled matmul whose epilogue adds b and s·low·Bᵀ),
 * against 6 for the stock op sequence (matMul, add, matMul, matMul, mul, add).
 * Backward: dlow = s·dy·B [N, r] (1 dispatch), then each gradient asked for is one dispatch:
 *   dx = dy·op(W)ᵀ + dlow·A (the same fused matmul), dA = dlowᵀ·x, dB = s·dyᵀ·low.
 * Gradients are lazy: TF.js only evaluates those on the path to the variables being trained, so a
 * frozen W costs nothing; if W or b is trained after all, dW and db come from stock ops.
 *
 * On any other backend the reference op sequence runs instead.
 */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { tf, type Tensor, type Tensor2D } from '../../tf.ts';
import { LoraMatMulProgram, ThinMatMulProgram, type LoraMatMulFlags } from './fusedLoraLinearPrograms.ts';

export interface FusedLoraLinearArgs {
  x: Tensor2D; // [N, in]
  w: Tensor2D; // [in, out], or [out, in] with transposeW
  bias?: Tensor; // [out]
  a: Tensor2D; // [r, in]
  b: Tensor2D; // [out, r]
  scale: number;
  transposeW: boolean;
}

/** The same maths as plain TF.js ops: the stock path and the test's reference. */
export function fusedLoraLinearReference({ x, w, bias, a, b, scale, transposeW }: FusedLoraLinearArgs): Tensor2D {
  return tf.tidy(() => {
    let y = tf.matMul(x, w, false, transposeW);
    if (bias) y = tf.add(y, bias);
    const low = tf.matMul(x, a, false, true);
    return tf.add(y, tf.mul(tf.matMul(low, b, false, true), scale)) as Tensor2D;
  });
}

type Uniform = { type: string; data: number[] };

function run(backend: WebGPUBackend, program: LoraMatMulProgram | ThinMatMulProgram, inputs: Tensor[], uniforms: Uniform[]): Tensor2D {
  const info = backend.runWebGPUProgram(program, inputs, 'float32', uniforms);
  return tf.engine().makeTensorFromTensorInfo(info) as Tensor2D;
}

/** alpha * op(lhs)[M, K] · op(rhs)[K, N] with the thin program. */
function thin(backend: WebGPUBackend, lhs: Tensor2D, rhs: Tensor2D, transposeLhs: boolean, transposeRhs: boolean, alpha: number): Tensor2D {
  const [m, k] = transposeLhs ? [lhs.shape[1], lhs.shape[0]] : lhs.shape;
  const n = transposeRhs ? rhs.shape[0] : rhs.shape[1];
  const program = new ThinMatMulProgram(m, n, transposeLhs, transposeRhs);
  return run(backend, program, [lhs, rhs], [
    { type: 'int32', data: [m] },
    { type: 'int32', data: [n] },
    { type: 'int32', data: [k] },
    { type: 'float32', data: [alpha] },
  ]);
}

/** op(lhs)[M, K] · op(rhs)[K, N] (+ bias) (+ alpha * low[M, R] · op(up)[R, N]) in one dispatch. */
function loraMatMul(
  backend: WebGPUBackend,
  lhs: Tensor2D,
  rhs: Tensor2D,
  transposeRhs: boolean,
  bias: Tensor | undefined,
  lowRank: { low: Tensor2D; up: Tensor2D; transposeUp: boolean; alpha: number } | undefined,
): Tensor2D {
  const [m, k] = lhs.shape;
  const n = transposeRhs ? rhs.shape[0] : rhs.shape[1];
  const flags: LoraMatMulFlags = { transposeLhs: false, transposeRhs, transposeUp: lowRank?.transposeUp ?? false, hasBias: !!bias, hasLowRank: !!lowRank };
  const inputs: Tensor[] = [lhs, rhs];
  if (bias) inputs.push(bias);
  if (lowRank) inputs.push(lowRank.low, lowRank.up);
  return run(backend, new LoraMatMulProgram(m, n, flags), inputs, [
    { type: 'int32', data: [m] },
    { type: 'int32', data: [n] },
    { type: 'int32', data: [k] },
    { type: 'int32', data: [lowRank ? lowRank.low.shape[1] : 0] },
    { type: 'float32', data: [lowRank?.alpha ?? 0] },
  ]);
}

interface KernelFuncParams {
  forwardFunc: (backend: unknown, save: (tensors: Tensor[]) => void) => Tensor;
  backwardsFunc: (dy: Tensor, saved: Tensor[]) => Record<string, () => Tensor>;
  inputs: Record<string, Tensor>;
}

/**
 * TF.js' engine entry that tf.customGrad is built on; unlike customGrad it takes one gradient
 * function per input, evaluated only for the inputs on the path to what is differentiated.
 */
function runKernelFunc(params: KernelFuncParams): Tensor {
  return (tf.engine() as unknown as { runKernelFunc(p: KernelFuncParams): Tensor }).runKernelFunc(params);
}

function fusedOnWebGpu(args: FusedLoraLinearArgs): Tensor2D {
  const { x, w, bias, a, b, scale, transposeW } = args;
  const backend = tf.backend() as WebGPUBackend;
  const inputs: Record<string, Tensor> = { x, w, a, b };
  if (bias) inputs.bias = bias;
  return runKernelFunc({
    inputs,
    forwardFunc: (_backend, save) => {
      const low = thin(backend, x, a, false, true, 1); // [N, r] = x·Aᵀ
      save([x, low]);
      return loraMatMul(backend, x, w, transposeW, bias, { low, up: b, transposeUp: true, alpha: scale });
    },
    backwardsFunc: (dy, saved) => {
      const [xs, low] = saved as [Tensor2D, Tensor2D];
      const dy2 = dy as Tensor2D;
      // s·dy·B [N, r]: shared by dx and dA, tiny, so computed up front.
      const dlow = thin(backend, dy2, b, false, false, scale);
      const grads: Record<string, () => Tensor> = {
        // dy·op(W)ᵀ + dlow·A: op(W)ᵀ is W read untransposed when W is [out, in].
        x: () => loraMatMul(backend, dy2, w, !transposeW, undefined, { low: dlow, up: a, transposeUp: false, alpha: 1 }),
        a: () => thin(backend, dlow, xs, true, false, 1), // [r, in] = dlowᵀ·x
        b: () => thin(backend, dy2, low, true, false, scale), // [out, r] = s·dyᵀ·low
        w: () => (transposeW ? tf.matMul(dy2, xs, true, false) : tf.matMul(xs, dy2, true, false)),
      };
      if (bias) grads.bias = () => tf.sum(dy2, 0);
      return grads;
    },
  }) as Tensor2D;
}

let enabled = true;

/** Turns the fused kernels off (the stock op sequence runs on WebGPU too): for benchmarks comparing the two. */
export function setFusedLoraEnabled(on: boolean): void {
  enabled = on;
}

/**
 * y = x·op(W) (+ b) + scale·(x·Aᵀ)·Bᵀ: the fused WebGPU kernels on the webgpu backend, the
 * reference op sequence elsewhere.
 */
export function fusedLoraLinear(args: FusedLoraLinearArgs): Tensor2D {
  if (!enabled || tf.getBackend() !== 'webgpu') return fusedLoraLinearReference(args);
  return fusedOnWebGpu(args);
}
