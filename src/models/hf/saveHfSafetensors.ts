/**
 * Writes a model's weights as one F32 model.safetensors with `__metadata__ {format: 'pt'}`, the layout
 * transformers' from_pretrained reads. Names are the model's (gpt2 always with the `transformer.`
 * prefix GPT2LMHeadModel uses); a tied lm_head is not written, as save_pretrained does not.
 */
import { EngineError } from '../../errors.ts';
import { writeSafetensors, type TensorToWrite } from '../../export/safetensors.ts';
import { allWeights } from './hfLinear.ts';
import type { HfCausalLm } from './hfTypes.ts';
import type { Variable } from '../../tf.ts';

/** The shape of a weight held whole or in row chunks. */
function wholeShape(parts: Variable[]): number[] {
  return [parts.reduce((rows, p) => rows + p.shape[0]!, 0), ...parts[0]!.shape.slice(1)];
}

/** A weight's values read back from the device; row chunks are joined in order. */
export async function readWeight(parts: Variable[]): Promise<Float32Array> {
  if (parts.length === 1) return (await parts[0]!.data()) as Float32Array;
  const out = new Float32Array(parts.reduce((n, p) => n + p.size, 0));
  let at = 0;
  for (const p of parts) {
    out.set((await p.data()) as Float32Array, at);
    at += p.size;
  }
  return out;
}

/** `weights` (e.g. from mergeLora) replace the model's own values by name. */
export async function saveHfSafetensors(lm: HfCausalLm, weights?: Map<string, Float32Array>): Promise<Uint8Array> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, parts] of allWeights(lm)) {
    const values = weights?.get(name) ?? (await readWeight(parts));
    const shape = wholeShape(parts);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size)
      throw new EngineError('hf-export-invalid', `the values given for "${name}" number ${values.length} but the weight has ${size}; pass the map mergeLora returns.`);
    tensors[name] = { dtype: 'F32', shape, data: values };
  }
  return writeSafetensors(tensors, { format: 'pt' });
}
