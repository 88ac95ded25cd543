/**
 * Identity for the TF.js WASM backend (4.22) that shares its input's buffer, as the cpu, webgl and
 * webgpu backends' Identity does, instead of copying it.
 *
 * TF.js saves each recorded op's inputs for the backward pass as clones (Identity). On WASM every
 * clone was a full copy, so every product x·Wᵀ on the gradient tape copied its frozen W (14 MB a
 * SmolLM2 layer, 113 MB for its vocabulary head) once per step. The copy then had its own tensor id,
 * so XNNPACK packed it again in the backward pass (dy·W) under that id and dropped the packing with
 * it at the end of the step: two copies and a packing of every weight per step, single-threaded.
 * Shared, the backward pass multiplies by W's own buffer (now on our GEMM, which packs per cache
 * block and keeps nothing: wasmGemm.ts). Sharing is safe because no TF.js
 * kernel writes into its inputs (Reshape shares buffers the same way).
 */
import { tf } from '../../tf.ts';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

export function registerWasmIdentity(backendName = 'wasm'): void {
  const original = tf.getKernel(tf.Identity, backendName);
  if ((original as { sharesBuffer?: boolean } | undefined)?.sharesBuffer === true) return;
  if (original !== undefined) tf.unregisterKernel(tf.Identity, backendName);
  const config: tf.KernelConfig & { sharesBuffer: true } = {
    kernelName: tf.Identity,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      // Strings live in JS, not in the heap: the original kernel handles them.
      if (x.dtype === 'string' && original) return original.kernelFunc({ inputs, backend, attrs: {} });
      (backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
    sharesBuffer: true,
  };
  tf.registerKernel(config);
}
