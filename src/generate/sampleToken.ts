/**
 * Picks the next token from a vocabulary's logits, as Hugging Face's generate does with
 * do_sample: temperature, then top-k, then top-p (nucleus) on the softmax of the scaled logits.
 *   temperature 0   greedy: the arg max (the lowest id on ties)
 *   topK            keep the k most likely tokens (0 or >= vocabulary: all)
 *   topP            keep the smallest set of most likely tokens whose probability sums to >= p
 *                   (at least one; 1: all)
 * The softmax subtracts the max logit first, so large logits cannot overflow. -Infinity logits
 * (masked tokens) get probability 0; NaN logits are treated as -Infinity.
 */
import { EngineError } from '../errors.ts';

export interface SamplingOptions {
  /** 0 = greedy; 1 = the model's distribution; higher = flatter. */
  temperature: number;
  /** Keep the k most likely tokens; 0 (or absent) = no limit. */
  topK?: number;
  /** Nucleus: keep the most likely tokens up to this cumulative probability; 1 (or absent) = no limit. */
  topP?: number;
}

/** The highest-scoring id (the lowest id among equals); NaN never wins. */
export function argmax(logits: Float32Array): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i] as number;
    if (v > bestValue || best < 0) {
      if (Number.isNaN(v)) continue;
      best = i;
      bestValue = v;
    }
  }
  return Math.max(best, 0);
}

/** Samples one token id; `rng` returns uniform numbers in [0, 1) (use createRng(seed) for repeatable runs). */
export function sampleToken(logits: Float32Array, options: SamplingOptions, rng: () => number): number {
  const n = logits.length;
  if (n === 0) throw new EngineError('sampling-invalid', 'the model returned no logits to sample from.');
  const { temperature } = options;
  const topK = options.topK ?? 0;
  const topP = options.topP ?? 1;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new EngineError('sampling-invalid', `temperature ${temperature} must be 0 (greedy) or a positive number.`);
  if (!(Number.isInteger(topK) && topK >= 0)) throw new EngineError('sampling-invalid', `top-k ${topK} must be a whole number >= 0 (0 turns it off).`);
  if (!(topP > 0 && topP <= 1)) throw new EngineError('sampling-invalid', `top-p ${topP} must be in (0, 1] (1 turns it off).`);
  if (temperature === 0 || topK === 1) return argmax(logits);

  const value = (i: number): number => {
    const v = logits[i] as number;
    return Number.isNaN(v) ? -Infinity : v;
  };
  const best = argmax(logits);
  const max = value(best);
  if (max === -Infinity) return best; // everything masked: nothing to sample
  // Ids by descending logit (ties: lower id first); with no top-k / top-p any order will do.
  const order = Array.from({ length: n }, (_, i) => i);
  if (topK > 0 || topP < 1) order.sort((a, b) => value(b) - value(a) || a - b);

  let keep = topK > 0 ? Math.min(topK, n) : n;
  const probs = new Float64Array(keep);
  let total = 0;
  for (let j = 0; j < keep; j++) {
    const p = Math.exp((value(order[j] as number) - max) / temperature);
    probs[j] = p;
    total += p;
  }
  if (topP < 1) {
    let cumulative = 0;
    for (let j = 0; j < keep; j++) {
      cumulative += (probs[j] as number) / total;
      if (cumulative >= topP) {
        keep = j + 1;
        break;
      }
    }
    total = 0;
    for (let j = 0; j < keep; j++) total += probs[j] as number;
  }

  let u = rng() * total;
  for (let j = 0; j < keep; j++) {
    u -= probs[j] as number;
    if (u < 0) return order[j] as number;
  }
  // Rounding left u just above 0: the last kept token with any probability.
  for (let j = keep - 1; j >= 0; j--) if ((probs[j] as number) > 0) return order[j] as number;
  return order[0] as number;
}
