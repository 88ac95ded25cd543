/** Qwen2 / Qwen2.5: q/k/v biases always, no o_proj bias; sliding window only with use_sliding_window. */
import { decoderFamily } from './decoderFamily.ts';
import { qwenSliding } from './decoderConfig.ts';

export const qwen2Family = decoderFamily('Qwen2', ['q_proj', 'v_proj'], {
  arch: 'qwen2',
  biases: () => ({ qkv: true, o: false, mlp: false }),
  ...qwenSliding,
});
