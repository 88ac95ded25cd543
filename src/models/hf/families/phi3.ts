/**
 * Phi-3 / Phi-4-mini: fused qkv_proj ([q; k; v] rows) and gate_up_proj ([gate; up] rows), no biases,
 * partial_rotary_factor (only the first part of each head rotates), longrope scaling on the long-
 * context models, and a sliding window on every layer when sliding_window is set.
 */
import { decoderFamily } from './decoderFamily.ts';
import { windowKey } from './decoderConfig.ts';

export const phi3Family = decoderFamily('Phi-3 / Phi-4', ['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj'], {
  arch: 'phi3',
  biases: () => ({ qkv: false, o: false, mlp: false }),
  slidingWindow: windowKey,
  defaultNormEps: 1e-5,
  block: () => ({ fusedQkv: true, fusedGateUp: true }),
});
