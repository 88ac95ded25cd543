import { registerFastWasmConv2DBackpropInput } from './wasmConv2DBackpropInput.ts';
import { registerWasmConv2DBackpropFilter } from './wasmConv2DBackpropFilter.ts';

/**
 * Makes TF.js' WASM backend able to train convolutions (LoRA on Conv2D, trained Conv2D layers):
 * it ships no Conv2DBackpropFilter, and its Conv2DBackpropInput is a slow loop. Both are replaced by
 * forward convolutions that XNNPACK runs fast, each tested against the cpu backend. Idempotent.
 */
export function registerWasmTrainingKernels(): void {
  registerWasmConv2DBackpropFilter('wasm');
  registerFastWasmConv2DBackpropInput('wasm');
}
