import { registerFastWasmConv2DBackpropInput } from './wasmConv2DBackpropInput.ts';
import { registerWasmConv2DBackpropFilter } from './wasmConv2DBackpropFilter.ts';
import { registerWasmBatchMatMul } from './wasmBatchMatMul.ts';
import { registerWasmIdentity } from './wasmIdentity.ts';

/**
 * Makes TF.js' WASM backend able to train convolutions (LoRA on Conv2D, trained Conv2D layers):
 * it ships no Conv2DBackpropFilter, and its Conv2DBackpropInput is a slow loop. Both are replaced by
 * forward convolutions that XNNPACK runs fast, each tested against the cpu backend. And makes it
 * train transformers fast: every product, transposed operands included (every HF projection and
 * every gradient), on our GEMM (wasmGemm.ts; where a runtime has no SIMD, XNNPACK after transposing);
 * and the gradient tape's saved inputs share their buffers instead of copying every frozen weight
 * each step. Idempotent.
 */
export function registerWasmTrainingKernels(): void {
  registerWasmConv2DBackpropFilter('wasm');
  registerFastWasmConv2DBackpropInput('wasm');
  registerWasmBatchMatMul('wasm');
  registerWasmIdentity('wasm');
}
