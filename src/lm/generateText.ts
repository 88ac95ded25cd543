/**
 * Token-by-token generation with a KV cache: the prompt runs once (prefill), then each new token
 * runs alone against the cached keys and values. Each token's text streams out as soon as it is
 * whole (byte-level BPE can split a character over tokens).
 */
import { sampleToken } from '../generate/sampleToken.ts';
import { createRng } from '../data/rng.ts';
import { causalLmLogits } from '../models/hf/causalLmLogits.ts';
import type { HfCausalLm, KvCache, LmLora } from '../models/hf/hfTypes.ts';
import { disposeKvCache, emptyKvCache } from '../models/hf/kvCache.ts';
import { tf, type Tensor2D } from '../tf.ts';
import { createDecodeStream } from '../tokenizers/createDecodeStream.ts';
import type { LmTokenizer } from '../tokenizers/lmTokenizer.ts';
import { yieldToEventLoop } from '../train/yieldToEventLoop.ts';

export interface GenerateOptions {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  lora?: LmLora;
  /** Token ids that end the text (besides the tokenizer's EOS): generation_config's eos_token_id, a chat template's end-of-turn. */
  stopIds?: ReadonlySet<number>;
  onText?: (text: string) => void;
  shouldStop?: () => boolean;
}

export interface Generated {
  ids: number[];
  text: string;
  finish: 'eos' | 'length' | 'context';
}

/** Continues `promptIds`; stops at EOS, maxNewTokens or the model's context length. */
export async function generateText(lm: HfCausalLm, tokenizer: LmTokenizer, promptIds: number[], opts: GenerateOptions): Promise<Generated> {
  const rng = createRng(opts.seed);
  const stream = createDecodeStream(tokenizer, { skipSpecialTokens: true });
  const out: number[] = [];
  let text = '';
  let cache: KvCache = emptyKvCache();
  let input = promptIds.length > 0 ? promptIds : [tokenizer.bosId ?? tokenizer.eosId ?? 0];
  const context = lm.config.maxPositions;
  let finish: Generated['finish'] = 'length';
  try {
    if (input.length >= context) return { ids: [], text: '', finish: 'context' };
    while (out.length < opts.maxNewTokens) {
      if (cache.length + input.length > context) {
        finish = 'context';
        break;
      }
      // tidy keeps what is returned: the last position's logits and the grown cache's tensors.
      let next: KvCache = cache;
      const logits = tf.tidy(() => {
        const ids = tf.tensor2d(Int32Array.from(input), [1, input.length], 'int32') as Tensor2D; // [1, T]
        const res = causalLmLogits(lm, ids, { lora: opts.lora, cache });
        next = res.cache!;
        for (const t of [...next.keys, ...next.values]) tf.keep(t);
        return tf.squeeze(tf.slice(res.logits, [0, input.length - 1, 0], [1, 1, -1])); // [V]
      });
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      disposeKvCache(cache);
      cache = next;
      const id = sampleToken(values, { temperature: opts.temperature, topK: opts.topK, topP: opts.topP }, rng);
      if (id === tokenizer.eosId || opts.stopIds?.has(id)) {
        finish = 'eos';
        break;
      }
      out.push(id);
      const piece = stream.push(id);
      if (piece) {
        text += piece;
        opts.onText?.(piece);
      }
      input = [id];
      await yieldToEventLoop();
      if (opts.shouldStop?.()) break;
    }
    const rest = stream.flush();
    if (rest) {
      text += rest;
      opts.onText?.(rest);
    }
    return { ids: out, text, finish };
  } finally {
    disposeKvCache(cache);
  }
}
