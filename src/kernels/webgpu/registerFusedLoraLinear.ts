/**
 * The FusedLoraLinear kernel on TF.js' WebGPU backend (the op and its reference: ../fusedLoraLinear.ts):
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
 * Everything goes through TF.js' public registry: three kernels (the op, and the two matmuls the
 * backward pass dispatches) and one gradient. Kernel functions only use what they are handed
 * (their backend's runWebGPUProgram).
 */
import { tf, type Tensor, type Tensor2D, type WebGPUBackend } from '../../tf.ts';
import { EngineError } from '../../errors.ts';
import { isHalf } from '../halfMatMul.ts';
import { FUSED_LORA_LINEAR, type FusedLoraLinearAttrs } from '../fusedLoraLinear.ts';
import { LoraMatMulProgram, ThinMatMulProgram, type LoraMatMulFlags } from './fusedLoraLinearPrograms.ts';
import { canUseVec4, LoraMatMulVec4Program } from './loraMatMulVec4Program.ts';

/** out[M, N] = op(lhs)·op(rhs) (+ bias) (+ alpha·low·op(up)); inputs lhs, rhs, [bias], [low, up]. */
const LORA_MAT_MUL = 'FusedLoraMatMul';
/** out[M, N] = alpha·op(lhs)·op(rhs) for thin operands; inputs lhs, rhs. */
const LORA_THIN_MAT_MUL = 'FusedLoraThinMatMul';

interface LoraMatMulAttrs {
  transposeRhs: boolean;
  transposeUp: boolean;
  alpha: number;
}

interface ThinMatMulAttrs {
  transposeLhs: boolean;
  transposeRhs: boolean;
  alpha: number;
}

type Uniform = { type: string; data: number[] };

function thinInfo(backend: WebGPUBackend, lhs: tf.TensorInfo, rhs: tf.TensorInfo, { transposeLhs, transposeRhs, alpha }: ThinMatMulAttrs): tf.TensorInfo {
  const [m, k] = transposeLhs ? [lhs.shape[1]!, lhs.shape[0]!] : [lhs.shape[0]!, lhs.shape[1]!];
  const n = transposeRhs ? rhs.shape[0]! : rhs.shape[1]!;
  const uniforms: Uniform[] = [
    { type: 'int32', data: [m] },
    { type: 'int32', data: [n] },
    { type: 'int32', data: [k] },
    { type: 'float32', data: [alpha] },
  ];
  return backend.runWebGPUProgram(new ThinMatMulProgram(m, n, transposeLhs, transposeRhs), [lhs, rhs], 'float32', uniforms);
}

/**
 * The fused matmul on TensorInfos; an int32 rhs is read as packed float16 pairs (../halfMatMul.ts).
 * The vec4 program whenever K and N are multiples of 4 (every GPT-2 / llama width), the scalar one otherwise.
 */
export function loraMatMulInfo(
  backend: WebGPUBackend,
  lhs: tf.TensorInfo,
  rhs: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  lowRank: { low: tf.TensorInfo; up: tf.TensorInfo } | undefined,
  { transposeRhs, transposeUp, alpha }: LoraMatMulAttrs,
): tf.TensorInfo {
  const [m, k] = [lhs.shape[0]!, lhs.shape[1]!];
  const halfRhs = rhs.dtype === 'int32';
  const n = transposeRhs ? rhs.shape[0]! : rhs.shape[1]! * (halfRhs ? 2 : 1);
  const flags: LoraMatMulFlags = { transposeLhs: false, transposeRhs, transposeUp, hasBias: !!bias, hasLowRank: !!lowRank, halfRhs };
  const inputs = [lhs, rhs];
  if (bias) inputs.push(bias);
  if (lowRank) inputs.push(lowRank.low, lowRank.up);
  const uniforms: Uniform[] = [
    { type: 'int32', data: [m] },
    { type: 'int32', data: [n] },
    { type: 'int32', data: [k] },
    { type: 'int32', data: [lowRank ? lowRank.low.shape[1]! : 0] },
    { type: 'float32', data: [lowRank ? alpha : 0] },
  ];
  const program = canUseVec4(k, n, flags) ? new LoraMatMulVec4Program(m, n, k, flags) : new LoraMatMulProgram(m, n, flags);
  return backend.runWebGPUProgram(program, inputs, 'float32', uniforms);
}

const fusedForward: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, w, a, b, bias } = inputs as Record<string, tf.TensorInfo>;
  const { scale, transposeW } = attrs as unknown as FusedLoraLinearAttrs;
  const gpu = backend as WebGPUBackend;
  const low = thinInfo(gpu, x!, a!, { transposeLhs: false, transposeRhs: true, alpha: 1 }); // [N, r] = x·Aᵀ
  const y = loraMatMulInfo(gpu, x!, w!, bias, { low, up: b! }, { transposeRhs: transposeW, transposeUp: true, alpha: scale }); // [N, out]
  return [y, low];
};

const loraMatMulKernel: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { lhs, rhs, bias, low, up } = inputs as Record<string, tf.TensorInfo | undefined>;
  const lowRank = low && up ? { low, up } : undefined;
  return loraMatMulInfo(backend as WebGPUBackend, lhs!, rhs!, bias, lowRank, attrs as unknown as LoraMatMulAttrs);
};

const thinMatMulKernel: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { lhs, rhs } = inputs as Record<string, tf.TensorInfo>;
  return thinInfo(backend as WebGPUBackend, lhs!, rhs!, attrs as unknown as ThinMatMulAttrs);
};

function thin(lhs: Tensor, rhs: Tensor, attrs: ThinMatMulAttrs): Tensor2D {
  return tf.engine().runKernel(LORA_THIN_MAT_MUL, { lhs, rhs }, attrs as unknown as tf.NamedAttrMap) as Tensor2D;
}

const fusedGradient: tf.GradConfig = {
  kernelName: FUSED_LORA_LINEAR,
  inputsToSave: ['x', 'w', 'a', 'b'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    // dys[1] (for low) is zeros: low never leaves the op.
    const dy = (dys as Tensor[])[0] as Tensor2D; // [N, out]
    const [x, w, a, b, low] = saved as [Tensor2D, Tensor2D, Tensor2D, Tensor2D, Tensor2D];
    const { scale, transposeW, hasBias } = attrs as unknown as FusedLoraLinearAttrs;
    // s·dy·B [N, r]: shared by dx and dA, tiny, so computed up front.
    const dlow = thin(dy, b, { transposeLhs: false, transposeRhs: false, alpha: scale });
    const grads: Record<string, () => Tensor> = {
      // dy·op(W)ᵀ + dlow·A: op(W)ᵀ is W read untransposed when W is [out, in].
      x: () => tf.engine().runKernel(LORA_MAT_MUL, { lhs: dy, rhs: w, low: dlow, up: a }, { transposeRhs: !transposeW, transposeUp: false, alpha: 1 }) as Tensor,
      a: () => thin(dlow, x, { transposeLhs: true, transposeRhs: false, alpha: 1 }), // [r, in] = dlowᵀ·x
      b: () => thin(dy, low, { transposeLhs: true, transposeRhs: false, alpha: scale }), // [out, r] = s·dyᵀ·low
      w: () => {
        if (isHalf(w)) throw new EngineError('internal', 'a float16-stored weight is frozen and has no gradient; train that projection with weight storage float32.');
        return transposeW ? tf.matMul(dy, x, true, false) : tf.matMul(x, dy, true, false);
      },
    };
    if (hasBias) grads.bias = () => tf.sum(dy, 0);
    return grads;
  },
};

/** Registers the kernels and the gradient; idempotent. The op then runs fused whenever webgpu is the backend. */
export function registerFusedLoraLinear(): void {
  if (tf.getKernel(FUSED_LORA_LINEAR, 'webgpu') !== undefined) return;
  tf.registerKernel({ kernelName: LORA_MAT_MUL, backendName: 'webgpu', kernelFunc: loraMatMulKernel });
  tf.registerKernel({ kernelName: LORA_THIN_MAT_MUL, backendName: 'webgpu', kernelFunc: thinMatMulKernel });
  tf.registerGradient(fusedGradient);
  tf.registerKernel({ kernelName: FUSED_LORA_LINEAR, backendName: 'webgpu', kernelFunc: fusedForward });
}
