/** Tensor names every layout shares (kept apart so the forward passes and the registry need not import each other). */
export const LM_HEAD = 'lm_head.weight';
export const GPT2_EMBEDDING = 'transformer.wte.weight';
export const DECODER_EMBEDDING = 'model.embed_tokens.weight';
