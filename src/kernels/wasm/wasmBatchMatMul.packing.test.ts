/**
 * setTransientPacking: products with a listed tensor on the right leave no packed XNNPACK copy
 * behind. Its own file, so the WASM heap it measures is this module's alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.ts';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmBatchMatMul, setTransientPacking } from './wasmBatchMatMul.ts';
import { wasmHeapBytes } from '../../backend/explainOutOfMemory.ts';

const MB = 2 ** 20;

describe('setTransientPacking', () => {
  beforeAll(async () => {
    registerWasmBatchMatMul();
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it('packs listed weights per product (no copy stays), with the same products; unlisted ones stay packed', () => {
    // 32 frozen [1024, 1024] weights: 128 MB, and as much again if every packed copy stays.
    const weights = Array.from({ length: 32 }, (_, i) => tf.variable(tf.randomNormal([1024, 1024], 0, 1, 'float32', i), false));
    const x = tf.randomNormal([16, 1024], 0, 1, 'float32', 99);
    const products = (): Float32Array[] => weights.map((w) => tf.tidy(() => tf.matMul(x, w).dataSync() as Float32Array)); // [16, 1024] each

    setTransientPacking(weights);
    const before = wasmHeapBytes()!;
    const transient = products();
    const transientGrowth = wasmHeapBytes()! - before;

    setTransientPacking([]);
    const kept = products();
    const keptGrowth = wasmHeapBytes()! - before - transientGrowth;

    expect(transient).toEqual(kept);
    expect(transientGrowth).toBeLessThan(24 * MB); // one copy and its packing at a time (8 MB), plus the heap's growth step
    expect(keptGrowth).toBeGreaterThan(96 * MB); // 128 MB of packed copies, less what free heap absorbed
    tf.dispose([...weights, x]);
  });
});
