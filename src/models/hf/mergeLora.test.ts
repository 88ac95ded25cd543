import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors, toFloat32 } from '../../export/safetensors.ts';
import { expectNoTensorLeak } from '../../testing/expectNoTensorLeak.ts';
import { tf } from '../../tf.ts';
import { causalLmLogits } from './causalLmLogits.ts';
import { disposeLora, fixtureBytes, fixtureLora, fixtureReader, fixtureReference, maxDiffToReference, memoryReader, PARITY_MODELS, type FixtureModel } from './hfTestFixtures.ts';
import type { HfCausalLm, LmLora } from './hfTypes.ts';
import { disposeHfCausalLm, loadHfCausalLm } from './loadHfCausalLm.ts';
import { mergeLora } from './mergeLora.ts';
import { saveHfSafetensors } from './saveHfSafetensors.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each<FixtureModel>(PARITY_MODELS)('%s merge and save', (model) => {
  let lm: HfCausalLm;
  let lora: LmLora;
  beforeAll(async () => {
    lm = await loadHfCausalLm(fixtureReader(model, 'base'), model);
    lora = fixtureLora(model);
  });
  afterAll(() => {
    disposeHfCausalLm(lm);
    disposeLora(lora);
  });

  it('mergeLora equals the merged/ weights written by PEFT', async () => {
    // It returns plain arrays: every tensor it made is gone.
    const merged = await expectNoTensorLeak(() => mergeLora(lm, lora));
    const reference = readSafetensors(fixtureBytes(model, 'merged/model.safetensors'));
    expect(new Set(merged.keys())).toEqual(new Set(reference.tensors.keys()));
    let max = 0;
    for (const [name, t] of reference.tensors) {
      const ours = merged.get(name)!;
      toFloat32(t).forEach((x, i) => (max = Math.max(max, Math.abs(x - ours[i]!))));
    }
    console.log(`${model} mergeLora max |diff| vs merged/ ${max.toExponential(2)}`);
    expect(max).toBeLessThan(1e-5);
    // and the base is untouched
    const base = readSafetensors(fixtureBytes(model, 'base/model.safetensors'));
    const path = [...lora.keys()][0]!;
    expect(await lm.weights.get(`${path}.weight`)!.data()).toEqual(toFloat32(base.tensors.get(`${path}.weight`)!));
  });

  it('saveHfSafetensors writes F32 tensors with the file names and loads back to the adapted logits', async () => {
    const bytes = await saveHfSafetensors(lm, await mergeLora(lm, lora));
    const file = readSafetensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt' });
    const original = readSafetensors(fixtureBytes(model, 'base/model.safetensors'));
    expect([...file.tensors.keys()].sort()).toEqual([...original.tensors.keys()].sort()); // no duplicated tied lm_head
    for (const [name, t] of file.tensors) expect([t.dtype, t.shape]).toEqual(['F32', original.tensors.get(name)!.shape]);

    const config = fixtureBytes(model, 'base/config.json');
    const reloaded = await loadHfCausalLm(memoryReader({ 'config.json': config, 'model.safetensors': bytes }), 'saved');
    const ref = fixtureReference(model);
    const ids = tf.tensor2d([ref.ids[0]!], undefined, 'int32');
    const { logits } = causalLmLogits(reloaded, ids);
    expect(maxDiffToReference(logits, [ref.adapted[0]!])).toBeLessThan(1e-4);
    tf.dispose([ids, logits]);
    disposeHfCausalLm(reloaded);
  });
});
