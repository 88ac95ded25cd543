import { EngineError } from '../errors.ts';

/** TF.js kernel names behind the layers people use, so the message names the layer, not the kernel. */
const KERNEL_LAYERS: Record<string, string> = {
  DepthwiseConv2dNativeBackpropInput: 'DepthwiseConv2D',
  DepthwiseConv2dNativeBackpropFilter: 'DepthwiseConv2D',
  Conv2DBackpropFilter: 'Conv2D',
  Conv3DBackpropFilterV2: 'Conv3D',
  MaxPool3DGrad: 'MaxPooling3D',
  AvgPool3DGrad: 'AveragePooling3D',
};

/**
 * "Kernel 'X' not registered for backend 'wasm'" means this backend cannot run some op of the run,
 * usually a gradient (TF.js' WASM backend lacks several). Say which layer type and what to do.
 */
export function explainKernelError(error: unknown): unknown {
  const message = error instanceof Error ? error.message : '';
  const m = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(message);
  if (!m) return error;
  const [, kernel = '', backend = ''] = m;
  const layer = KERNEL_LAYERS[kernel];
  const what = layer ? `train through ${layer} layers (TF.js has no ${kernel} kernel for it)` : `run the ${kernel} operation this model needs`;
  return new EngineError(
    'backend-missing-kernel',
    `The ${backend} backend cannot ${what}. Switch the backend to WebGPU or CPU, or freeze every layer up to and including it (LoRA or training only after it).`,
  );
}
