/**
 * Writes a model's weights as one F32 model.safetensors with `__metadata__ {format: 'pt'}`, the layout
 * transformers' from_pretrained reads. Names are the model's (gpt2 always with the `transformer.`
 * prefix GPT2LMHeadModel uses); a tied lm_head is not written, as save_pretrained does not.
 */
import { EngineError } from '../../errors.ts';
import { writeSafetensors, type TensorToWrite } from '../../export/safetensors.ts';
import type { HfCausalLm } from './hfTypes.ts';

/** `weights` (e.g. from mergeLora) replace the model's own values by name. */
export async function saveHfSafetensors(lm: HfCausalLm, weights?: Map<string, Float32Array>): Promise<Uint8Array> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, v] of lm.weights) {
    const values = weights?.get(name) ?? ((await v.data()) as Float32Array);
    if (values.length !== v.size)
      throw new EngineError('hf-export-invalid', `the values given for "${name}" number ${values.length} but the weight has ${v.size}; pass the map mergeLora returns.`);
    tensors[name] = { dtype: 'F32', shape: v.shape, data: values };
  }
  return writeSafetensors(tensors, { format: 'pt' });
}
