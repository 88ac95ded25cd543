export type { BadLinePolicy, LmDataset, LmDatasetOptions, LmExample, LmFormat, LmIssue, TokenLengthBin, TokenLengthHistogram } from './lmTypes.ts';
export { DEFAULT_LM_MAX_LENGTH } from './lmTypes.ts';
export { parseLmDataset, type LmSource } from './parseLmDataset.ts';
export { lmBatch, IGNORE_LABEL, type LmBatch } from './lmBatch.ts';
export { lmSplit } from './lmSplit.ts';
export { tokenLengthHistogram } from './tokenLengthHistogram.ts';
export { alpacaPrompt } from './alpacaPrompt.ts';
export { renderChat, type RenderedChat, type WeightedMessage } from './renderChat.ts';
export { tokenizeWithSpans, type CharSpan, type TokenizedSpans } from './tokenizeWithSpans.ts';
