/** Llama 2 / 3.x, SmolLM2, TinyLlama: attention_bias / mlp_bias optional, scaled rotary (llama3, linear, dynamic, yarn). */
import { decoderFamily } from './decoderFamily.ts';

export const llamaFamily = decoderFamily('Llama', ['q_proj', 'v_proj'], { arch: 'llama' });
