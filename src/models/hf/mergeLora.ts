/**
 * Folds LoRA adapters into the base weights for export: W' = W + scale * B·A ([out, in]), transposed
 * to [in, out] for gpt2's Conv1D (PEFT's fan_in_fan_out). The loaded model is left untouched.
 * Async because reading tensors back from a GPU backend is.
 */
import { EngineError } from '../../errors.ts';
import { isHalf, logicalShape } from '../../kernels/halfMatMul.ts';
import { tf } from '../../tf.ts';
import { allWeights } from './hfLinear.ts';
import type { HfCausalLm, LmLora } from './hfTypes.ts';
import { readWeight } from './saveHfSafetensors.ts';

/** Every weight of the model by tensor name, with the adapted projections merged. */
export async function mergeLora(lm: HfCausalLm, lora: LmLora): Promise<Map<string, Float32Array>> {
  const modules = new Map(lm.modules.map((m) => [m.path, m]));
  const out = new Map<string, Float32Array>();
  for (const [path, ad] of lora) {
    const mod = modules.get(path);
    const w = lm.weights.get(`${path}.weight`);
    if (!mod || !w)
      throw new EngineError('lora-plan-invalid', `the LoRA adapter targets "${path}", which is not a linear projection of this ${lm.config.architecture} model; check the adapter's target modules.`);
    // A float16-held W is merged from the exact values it was loaded from, so the result is what a float32 W gives.
    const base = isHalf(w) ? tf.tensor(await readWeight([w], lm.half), logicalShape(w)) : w;
    const merged = tf.tidy(() => {
      const delta = tf.mul(tf.matMul(ad.B, ad.A), ad.scale); // [out, in]
      return tf.add(base, mod.fanInFanOut ? tf.transpose(delta) : delta); // as stored: [in, out] or [out, in]
    });
    if (base !== w) base.dispose();
    out.set(`${path}.weight`, (await merged.data()) as Float32Array);
    merged.dispose();
  }
  for (const [name, parts] of allWeights(lm)) {
    if (!out.has(name)) out.set(name, await readWeight(parts, lm.half));
  }
  return out;
}
