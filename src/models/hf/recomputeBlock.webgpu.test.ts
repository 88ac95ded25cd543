/**
 * The memory path of a LoRA step on real WebGPU (Dawn in Node; SwiftShader where no GPU exists):
 * gradient checkpointing (with the fused LoRA kernel inside the recomputed blocks) and the chunked
 * loss give the loss and LoRA gradients of the plain pass with the full logits; also with gemma2's
 * soft-capping, and with the vocabulary tables held in row chunks (as a big vocabulary is on WebGPU).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../backend/startBackend.ts';
import { chunkedCausalLmLoss } from '../../lm/chunkedCrossEntropy.ts';
import { requireDawnGpu } from '../../testing/requireDawnGpu.ts';
import { tf, type Scalar } from '../../tf.ts';
import { causalLmLoss, IGNORE_INDEX } from '../../train/causalLmLoss.ts';
import { causalLmHidden, causalLmLogits, lmHeadOf } from './causalLmLogits.ts';
import { disposeLora, fixtureLora, fixtureReader, type FixtureModel } from './hfTestFixtures.ts';
import type { DeviceLimits } from './hfMemory.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';

describe('checkpointed blocks and the chunked loss on WebGPU (Dawn)', () => {
  beforeAll(() => requireDawnGpu());
  afterAll(() => tf.disposeVariables());

  // With the MLP's size as the buffer limit, tiny-llama's [300, 32] embedding and lm_head split into 5 chunks.
  const cases: [FixtureModel, string, DeviceLimits | undefined][] = [
    ['tiny-gpt2', '', undefined],
    ['tiny-llama', '', undefined],
    ['gemma2', '', undefined],
    ['tiny-llama', ' (tables in row chunks)', { maxStorageBufferBindingSize: 8192, maxBufferSize: 16384 }],
  ];
  for (const [model, variant, limits] of cases) {
    it(`${model}${variant}: same loss and LoRA gradients as the plain pass within 1e-4`, async () => {
      expect((await startBackend('webgpu')).name).toBe('webgpu');
      const lm = await loadHfCausalLm(fixtureReader(model, 'base'), model, undefined, limits);
      expect(lm.rowChunks !== undefined).toBe(limits !== undefined);
      const lora = fixtureLora(model);
      const ids = tf.tensor2d([[3, 17, 45, 9, 100, 23, 5, 61]], undefined, 'int32');
      const labels = Int32Array.from([17, 45, 9, IGNORE_INDEX, 23, 5, 61, IGNORE_INDEX]);
      const vars = [...lora.values()].flatMap((l) => [l.A, l.B]);
      const run = async (memory: boolean) => {
        const { value, grads } = tf.variableGrads(() => {
          if (!memory) return causalLmLoss(causalLmLogits(lm, ids, { lora, training: true, dropoutSeed: 1 }).logits, labels).loss as Scalar;
          return chunkedCausalLmLoss(causalLmHidden(lm, ids, { lora, training: true, dropoutSeed: 1, recompute: true }).hidden, lmHeadOf(lm), labels, 2).loss;
        }, vars);
        const out = { loss: (await value.data())[0]!, grads: await Promise.all(vars.map(async (v) => Float32Array.from(await grads[v.name]!.data()))) };
        tf.dispose([value, ...Object.values(grads)]);
        return out;
      };
      const plain = await run(false);
      const lean = await run(true);
      expect(Math.abs(lean.loss - plain.loss)).toBeLessThan(1e-4);
      plain.grads.forEach((g, i) => {
        const scale = Math.max(...g.map(Math.abs));
        expect(scale).toBeGreaterThan(0);
        expect(Math.max(...g.map((x, j) => Math.abs(x - lean.grads[i]![j]!))) / scale).toBeLessThan(1e-4);
      });
      ids.dispose();
      disposeLora(lora);
      disposeHfCausalLm(lm);
    });
  }
});
