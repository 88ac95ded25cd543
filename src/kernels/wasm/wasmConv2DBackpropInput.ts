/**
 * A faster Conv2DBackpropInput for the TF.js WASM backend (4.22), whose own kernel is a plain loop and takes
 * about half of a training step of the built-in model. For stride 1, the input gradient is a forward 'valid'
 * convolution, which XNNPACK runs fast:
 *
 *   dx = conv2d(dy padded by (k - 1 - pad) on each side, filter flipped in space with in/out channels swapped)
 *
 * Other strides (and NCHW) fall through to the original wasm kernel, which stays correct for them.
 */
import { tf } from '../../tf.ts';

/** Replaces the backend's Conv2DBackpropInput; the original is kept for the cases this one does not cover. */
export function registerFastWasmConv2DBackpropInput(backendName = 'wasm'): void {
  const original = tf.getKernel(tf.Conv2DBackpropInput, backendName);
  if (original === undefined) throw new Error(`${backendName} has no ${tf.Conv2DBackpropInput} kernel to fall back on`);
  if (isFast(original)) return;
  tf.unregisterKernel(tf.Conv2DBackpropInput, backendName);
  const config: tf.KernelConfig & { fastPath: true } = {
    kernelName: tf.Conv2DBackpropInput,
    backendName,
    // The original's setup (wasm function binding) must still run when the backend initializes.
    ...(original.setupFunc === undefined ? {} : { setupFunc: original.setupFunc }),
    ...(original.disposeFunc === undefined ? {} : { disposeFunc: original.disposeFunc }),
    kernelFunc: conv2DBackpropInputByConv(original.kernelFunc),
    fastPath: true,
  };
  tf.registerKernel(config);
}

function isFast(config: tf.KernelConfig): boolean {
  return (config as { fastPath?: boolean }).fastPath === true;
}

function conv2DBackpropInputByConv(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args;
    const { dy, filter } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const unitStride = strides === 1 || (Array.isArray(strides) && strides[0] === 1 && strides[1] === 1);
    // The engine passes the op's own Tensors as inputs, so ops can run on them directly.
    if (!unitStride || dataFormat !== 'NHWC' || !(dy instanceof tf.Tensor) || !(filter instanceof tf.Tensor)) {
      return fallback(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      1,
      1,
      pad,
      dimRoundingMode,
    );
    const { filterHeight, filterWidth, padInfo } = info;
    const padding: Array<[number, number]> = [
      [0, 0],
      [filterHeight - 1 - padInfo.top, filterHeight - 1 - padInfo.bottom],
      [filterWidth - 1 - padInfo.left, filterWidth - 1 - padInfo.right],
      [0, 0],
    ];
    // Explicit padding wider than the filter would need cropping instead: not a case worth a second path.
    if (padding.some(([before, after]) => before < 0 || after < 0)) return fallback(args);
    // Returning a Tensor (not a bare TensorInfo) is allowed by the engine, and lets tidy free the intermediates.
    return tf.tidy(() => {
      const padded = tf.pad(dy as tf.Tensor4D, padding); // [B, H + kh - 1, W + kw - 1, F]
      const flipped = tf.reverse(filter as tf.Tensor4D, [0, 1]); // [kh, kw, C, F], rotated 180° in space
      const swapped = tf.transpose(flipped, [0, 1, 3, 2]); // [kh, kw, F, C]
      return tf.conv2d(padded, swapped, 1, 'valid'); // [B, H, W, C]
    });
  };
}
