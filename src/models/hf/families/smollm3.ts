/**
 * SmolLM3: the llama block with no rotary embedding on the layers `no_rope_layers` marks 0 (by default
 * every `no_rope_layer_interval`-th, as SmolLM3Config fills it), qwen-style sliding window settings.
 */
import { showValue } from '../../../errors.ts';
import { invalidConfig } from '../hfConfigKeys.ts';
import { decoderFamily } from './decoderFamily.ts';
import { qwenSliding } from './decoderConfig.ts';

export const smollm3Family = decoderFamily('SmolLM3', ['q_proj', 'v_proj'], {
  arch: 'smollm3',
  ...qwenSliding,
  defaultTieWordEmbeddings: true,
  usesRope: (raw, fileName, n) => {
    const given = raw.no_rope_layers;
    if (given === undefined || given === null) {
      const interval = typeof raw.no_rope_layer_interval === 'number' ? raw.no_rope_layer_interval : 4;
      return Array.from({ length: n }, (_, i) => (i + 1) % interval !== 0);
    }
    if (!Array.isArray(given) || given.length !== n || !given.every((x) => x === 0 || x === 1))
      throw invalidConfig(fileName, `"no_rope_layers" must list 0 or 1 for each of the ${n} layers, got ${showValue(given)}.`);
    return given.map((x) => x === 1);
  },
});
