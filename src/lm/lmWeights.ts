/** Small helpers around a loaded language model's weights: trained copies, swaps and stop ids. */
import type { TrainPlan } from '../api.ts';
import type { HfCausalLm } from '../models/hf/hfTypes.ts';
import { unpackHalf } from '../kernels/halfMatMul.ts';
import { tf, type Variable } from '../tf.ts';
import type { LmTokenizer } from '../tokenizers/lmTokenizer.ts';

/** Ids that end a generation: EOS ids of config.json and generation_config.json, and ChatML's <|im_end|>. */
export function stopIdsOf(lm: HfCausalLm, tokenizer: LmTokenizer, generationConfig: Uint8Array | undefined): Set<number> {
  const ids = new Set<number>();
  const add = (v: unknown): void => {
    if (typeof v === 'number') ids.add(v);
    if (Array.isArray(v)) v.forEach(add);
  };
  add(lm.config.eosTokenId);
  if (generationConfig) {
    try {
      add((JSON.parse(new TextDecoder().decode(generationConfig)) as { eos_token_id?: unknown }).eos_token_id);
    } catch {
      // generation_config.json is optional advice; a broken one only loses its stop ids.
    }
  }
  const imEnd = tokenizer.tokenToId('<|im_end|>');
  if (imEnd !== null) ids.add(imEnd);
  return ids;
}

/**
 * Trainable copies of the weights (and biases) of the plan's fully trained projections; a
 * float16-held weight is copied unpacked (float32, as training needs).
 */
export function fullCopies(lm: HfCausalLm, plan: TrainPlan): Map<string, Variable> {
  const out = new Map<string, Variable>();
  for (const m of lm.modules) {
    if (plan[m.path]?.kind !== 'full') continue;
    for (const name of [`${m.path}.weight`, ...(m.hasBias ? [`${m.path}.bias`] : [])]) out.set(name, tf.tidy(() => tf.variable(unpackHalf(lm.weights.get(name)!), true)));
  }
  return out;
}

/** The model with some weights replaced (same config and modules; nothing copied). */
export function withWeights(lm: HfCausalLm, replaced: Map<string, Variable>): HfCausalLm {
  return replaced.size === 0 ? lm : { ...lm, weights: new Map([...lm.weights, ...replaced]) };
}

export function disposeFull(full: Map<string, Variable>): void {
  for (const v of full.values()) v.dispose();
  full.clear();
}

/**
 * An export's file name from the model and the data it was trained on, never the host it came from:
 * "http://localhost:4173/models/tiny-chat-lm/" + "chat-sample.jsonl" -> "tiny-chat-lm-chat-sample".
 * A URL gives its last folder (a Hub URL's "<org>/<name>/resolve/<rev>/" gives "<name>"); a Hub id stays whole.
 */
export function exportStem(modelLabel: string, datasetName: string | null): string {
  let model = modelLabel.trim();
  if (/^https?:\/\//i.test(model)) {
    const path = model.replace(/^https?:\/\/[^/]+/i, '').replace(/\/resolve\/[^/]+\/?$/, '').replace(/\/+$/, '');
    model = path.split('/').pop() || model;
  }
  const data = datasetName?.replace(/\.[a-z0-9]+$/i, '') ?? '';
  return data ? `${slug(model)}-${slug(data)}` : slug(model);
}

/** A file-name-safe name for exports: "HuggingFaceTB/SmolLM2-135M" -> "huggingfacetb-smollm2-135m". */
export function slug(s: string): string {
  return s.toLowerCase().replace(/^https?:\/\//, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'model';
}
