/**
 * The most bytes of distinct tensor buffers alive at once while `f` runs, above what was alive before.
 *
 * Why not tf.profile's peakBytes: TF.js counts bytes per tensor object, so every clone the gradient
 * tape saves (sharing its buffer, as do reshapes) counts again, frozen weights included. That measures
 * tensor objects, not memory. This counts each buffer (dataId) once, from the engine's first tracking
 * of it until the backend frees it.
 */
import { tf } from '../tf.ts';

interface EngineHooks {
  state: { tensorInfo: WeakMap<object, unknown> };
  trackTensor(t: tf.Tensor, backend: unknown): void;
  removeDataId(dataId: object, backend: unknown): void;
}

export async function peakBufferBytes(f: () => void | Promise<void>): Promise<number> {
  return (await peakBufferTrace(f, () => '')).peak;
}

/**
 * peakBufferBytes with where the peak was: `phase()` is read each time a new peak is reached (e.g. a
 * label the caller switches from "forward" to "backward"), and `mark()` returns the bytes alive now.
 */
export async function peakBufferTrace(f: (mark: () => number) => void | Promise<void>, phase: () => string): Promise<{ peak: number; phase: string }> {
  const engine = tf.engine() as unknown as EngineHooks;
  const { trackTensor, removeDataId } = engine;
  const live = new Map<object, number>(); // buffers made while f runs -> bytes
  let bytes = 0;
  let peak = 0;
  let at = '';
  engine.trackTensor = function (t, backend) {
    // A buffer the engine knows already: alive before f (a weight: this is a clone of it), or counted.
    const known = engine.state.tensorInfo.has(t.dataId);
    trackTensor.call(this, t, backend);
    if (known || t.dtype === 'string' || t.dtype === 'complex64') return;
    const size = t.size * tf.util.bytesPerElement(t.dtype);
    live.set(t.dataId, size);
    bytes += size;
    if (bytes > peak) [peak, at] = [bytes, phase()];
  };
  engine.removeDataId = function (dataId, backend) {
    removeDataId.call(this, dataId, backend);
    bytes -= live.get(dataId) ?? 0;
    live.delete(dataId);
  };
  try {
    await f(() => bytes);
  } finally {
    engine.trackTensor = trackTensor;
    engine.removeDataId = removeDataId;
  }
  return { peak, phase: at };
}
