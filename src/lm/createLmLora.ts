/**
 * Fresh LoRA adapters for a plan, initialised as PEFT does by default (init_lora_weights=True):
 * A from kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)); B zero, so at step 0 the
 * adapted model is exactly the base model.
 */
import type { Rng } from '../data/rng.ts';
import { loraScale, type TrainPlan } from '../lora/hfPeftTargets.ts';
import type { LinearModule, LmLora } from '../models/hf/hfTypes.ts';
import { tf } from '../tf.ts';

export function createLmLora(plan: TrainPlan, modules: LinearModule[], rng: Rng): LmLora {
  const lora: LmLora = new Map();
  for (const m of modules) {
    const mode = plan[m.path];
    if (mode?.kind !== 'lora') continue;
    const bound = 1 / Math.sqrt(m.inFeatures);
    const a = new Float32Array(mode.r * m.inFeatures);
    for (let i = 0; i < a.length; i++) a[i] = (rng() * 2 - 1) * bound;
    lora.set(m.path, {
      A: tf.tidy(() => tf.variable(tf.tensor2d(a, [mode.r, m.inFeatures]), true)), // [r, in]
      B: tf.tidy(() => tf.variable(tf.zeros([m.outFeatures, mode.r]), true)), // [out, r]
      r: mode.r,
      alpha: mode.alpha,
      scale: loraScale(mode.r, mode.alpha, mode.rslora),
      dropout: mode.dropout ?? 0,
    });
  }
  return lora;
}

/** The same adapters with their update scaled by `strength` (0 = base model, 1 = as trained). Shares A and B. */
export function scaledLora(lora: LmLora, strength: number): LmLora {
  if (strength === 1) return lora;
  return new Map([...lora].map(([path, ad]) => [path, { ...ad, scale: ad.scale * strength }]));
}

export function disposeLmLora(lora: LmLora): void {
  for (const ad of lora.values()) {
    ad.A.dispose();
    ad.B.dispose();
  }
  lora.clear();
}
