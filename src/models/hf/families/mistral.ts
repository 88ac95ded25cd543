/** Mistral: the llama block, no biases, sliding-window attention on every layer when sliding_window is set. */
import { decoderFamily } from './decoderFamily.ts';
import { windowKey } from './decoderConfig.ts';

export const mistralFamily = decoderFamily('Mistral', ['q_proj', 'v_proj'], {
  arch: 'mistral',
  biases: () => ({ qkv: false, o: false, mlp: false }),
  slidingWindow: windowKey,
});
