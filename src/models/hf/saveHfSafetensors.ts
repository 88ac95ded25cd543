/**
 * Writes a model's weights as one F32 model.safetensors with `__metadata__ {format: 'pt'}`, the layout
 * transformers' from_pretrained reads. Names are the model's (gpt2 always with the `transformer.`
 * prefix GPT2LMHeadModel uses); a tied lm_head is not written, as save_pretrained does not.
 */
import { EngineError } from '../../errors.ts';
import { writeSafetensors, type TensorToWrite } from '../../export/safetensors.ts';
import { allWeights } from './hfLinear.ts';
import { isHalf, logicalShape, logicalSize } from '../../kernels/halfMatMul.ts';
import { unpackHalves } from './halfWeights.ts';
import type { HalfStorage, HfCausalLm } from './hfTypes.ts';
import type { Variable } from '../../tf.ts';

/** The shape of a weight held whole or in row chunks (float16-held: the float32 shape it stands for). */
function wholeShape(parts: Variable[]): number[] {
  return [parts.reduce((rows, p) => rows + p.shape[0]!, 0), ...logicalShape(parts[0]!).slice(1)];
}

/** One variable's float32 values: a float16-held one decoded here, with the exact source values it rounded put back. */
async function readPart(p: Variable, half: HalfStorage | undefined): Promise<Float32Array> {
  if (!isHalf(p)) return (await p.data()) as Float32Array;
  return unpackHalves((await p.data()) as Int32Array, half?.exact.get(p));
}

/**
 * A weight's values read back from the device; row chunks are joined in order. With the model's
 * `half` storage, a float16-held weight reads back exactly the values it was loaded from.
 */
export async function readWeight(parts: Variable[], half?: HalfStorage): Promise<Float32Array> {
  if (parts.length === 1) return readPart(parts[0]!, half);
  const out = new Float32Array(parts.reduce((n, p) => n + logicalSize(p), 0));
  let at = 0;
  for (const p of parts) {
    out.set(await readPart(p, half), at);
    at += logicalSize(p);
  }
  return out;
}

/** `weights` (e.g. from mergeLora) replace the model's own values by name. */
export async function saveHfSafetensors(lm: HfCausalLm, weights?: Map<string, Float32Array>): Promise<Uint8Array> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, parts] of allWeights(lm)) {
    const values = weights?.get(name) ?? (await readWeight(parts, lm.half));
    const shape = wholeShape(parts);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size)
      throw new EngineError('hf-export-invalid', `the values given for "${name}" number ${values.length} but the weight has ${size}; pass the map mergeLora returns.`);
    tensors[name] = { dtype: 'F32', shape, data: values };
  }
  return writeSafetensors(tensors, { format: 'pt' });
}
