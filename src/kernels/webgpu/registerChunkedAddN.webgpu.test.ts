import { beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../backend/startBackend.ts';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { requireDawnGpu } from '../../testing/requireDawnGpu.ts';
import { tf } from '../../tf.ts';
import { registerChunkedAddN } from './registerChunkedAddN.ts';

describe('AddN over more inputs than a shader may bind', () => {
  // Fails, with what to install, where Dawn has no Vulkan driver to run on.
  beforeAll(() => requireDawnGpu());
  it('sums 30 tensors on WebGPU as the CPU does, and frees its partial sums', async () => {
    await startBackend('webgpu');
    registerChunkedAddN();
    // 30 inputs are more than any device lets one shader bind, so the chunked path is what runs.
    const limit = (tf.backend() as unknown as { device: GPUDevice }).device.limits.maxStorageBuffersPerShaderStage;
    expect(30).toBeGreaterThan(limit - 1);
    const values = Array.from({ length: 30 }, (_, i) => Float32Array.from({ length: 6 }, (_, j) => i * 0.5 + j));
    await expectNoTensorLeak(async () => {
      const inputs = values.map((v) => tf.tensor1d(v));
      const sum = tf.addN(inputs);
      const got = Array.from(await sum.data());
      const want = Array.from({ length: 6 }, (_, j) => values.reduce((s, v) => s + v[j]!, 0));
      got.forEach((g, j) => expect(g).toBeCloseTo(want[j]!, 4));
      tf.dispose([sum, ...inputs]);
    });
  });
});
