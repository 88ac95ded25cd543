/**
 * TF.js' WebGPU AddN binds every input as its own storage buffer, so summing more gradients than the
 * device's maxStorageBuffersPerShaderStage - 1 (7 at WebGPU's default of 8) fails pipeline creation
 * ("The number of storage buffers exceeds the maximum per-stage limit"). A transformer's backward
 * pass sums a dozen gradients into the residual stream. This wraps the stock kernel: it sums in
 * chunks that fit, then sums the partial sums (Concat does the same inside TF.js).
 */
import { tf, type WebGPUBackend } from '../../tf.ts';

type KernelFunc = tf.KernelConfig['kernelFunc'];

let wrapped = false;

export function registerChunkedAddN(): void {
  if (wrapped) return;
  const stock = tf.getKernel('AddN', 'webgpu');
  if (!stock) return;
  const original = stock.kernelFunc;
  const chunked: KernelFunc = (args) => {
    const backend = args.backend as WebGPUBackend;
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const maxInputs = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= maxInputs) return original(args);
    const partials: tf.TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += maxInputs) {
      const part = inputs.slice(i, i + maxInputs);
      partials.push(part.length === 1 ? part[0]! : (original({ ...args, inputs: part as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo));
    }
    const out = chunked({ ...args, inputs: partials as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
    for (const p of partials) if (!inputs.includes(p)) backend.disposeData(p.dataId);
    return out;
  };
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...stock, kernelFunc: chunked });
  wrapped = true;
}
