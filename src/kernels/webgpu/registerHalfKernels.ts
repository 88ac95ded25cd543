/**
 * The kernels that read float16-stored frozen weights on WebGPU (the ops: ../halfMatMul.ts):
 * HalfMatMul, the projection x·op(W) (+ b) through the fused LoRA matmul program reading W as packed
 * halves, with its gradient for x (dy·op(W)ᵀ: the same kernel, W read the other way round) and b;
 * and UnpackHalf, for the rows an embedding lookup gathers. The fused LoRA projection itself takes a
 * packed W through the same program (registerFusedLoraLinear.ts checks W's dtype).
 */
import { EngineError } from '../../errors.ts';
import { tf, type Tensor, type WebGPUBackend } from '../../tf.ts';
import { GATHER_HALF_ROWS, HALF_MAT_MUL, UNPACK_HALF, type GatherHalfRowsAttrs, type HalfMatMulAttrs } from '../halfMatMul.ts';
import { GatherHalfRowsProgram, UnpackHalfProgram } from './fusedLoraLinearPrograms.ts';
import { loraMatMulInfo } from './registerFusedLoraLinear.ts';

const halfMatMulKernel: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, w, bias } = inputs as Record<string, tf.TensorInfo | undefined>;
  const { transposeW } = attrs as unknown as HalfMatMulAttrs;
  return loraMatMulInfo(backend as WebGPUBackend, x!, w!, bias, undefined, { transposeRhs: transposeW, transposeUp: false, alpha: 0 });
};

const unpackHalfKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { packed } = inputs as Record<string, tf.TensorInfo>;
  const shape = packed!.shape;
  const cols = shape.at(-1)! * 2;
  const rows = shape.slice(0, -1).reduce((p, d) => p * d, 1);
  const out = (backend as WebGPUBackend).runWebGPUProgram(new UnpackHalfProgram(rows, cols), [packed!], 'float32');
  return { ...out, shape: [...shape.slice(0, -1), cols] };
};

const gatherHalfRowsKernel: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { table, ids } = inputs as Record<string, tf.TensorInfo>;
  const { first } = attrs as unknown as GatherHalfRowsAttrs;
  const [rows, half] = table!.shape as [number, number];
  const n = ids!.shape[0]!;
  const uniforms = [
    { type: 'int32', data: [first] },
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [half * 2] },
  ];
  return (backend as WebGPUBackend).runWebGPUProgram(new GatherHalfRowsProgram(n, half * 2), [table!, ids!], 'float32', uniforms);
};

const halfMatMulGradient: tf.GradConfig = {
  kernelName: HALF_MAT_MUL,
  inputsToSave: ['w'],
  gradFunc: (dy, saved, attrs) => {
    const [w] = saved as [Tensor];
    const { transposeW } = attrs as unknown as HalfMatMulAttrs;
    const g = dy as Tensor; // [M, N]
    return {
      // dx = dy·op(W)ᵀ: op(W)ᵀ is W read with the other transpose flag.
      x: () => tf.engine().runKernel(HALF_MAT_MUL, { x: g, w }, { transposeW: !transposeW }) as Tensor, // [M, K]
      w: () => {
        throw new EngineError('internal', 'a float16-stored weight is frozen and has no gradient; train that projection with weight storage float32.');
      },
      bias: () => tf.sum(g, 0), // [N]
    };
  },
};

/** Registers the three kernels and the gradient; idempotent. */
export function registerHalfKernels(): void {
  if (tf.getKernel(HALF_MAT_MUL, 'webgpu') !== undefined) return;
  tf.registerKernel({ kernelName: UNPACK_HALF, backendName: 'webgpu', kernelFunc: unpackHalfKernel });
  tf.registerKernel({ kernelName: GATHER_HALF_ROWS, backendName: 'webgpu', kernelFunc: gatherHalfRowsKernel });
  tf.registerGradient(halfMatMulGradient);
  tf.registerKernel({ kernelName: HALF_MAT_MUL, backendName: 'webgpu', kernelFunc: halfMatMulKernel });
}
