export type { ChatMessage, ChatTemplateOptions, ChatTemplateSource, DecodeOptions, EncodeOptions, LmTokenizer } from './lmTokenizer.ts';
export { loadTokenizer, type LoadTokenizerOptions } from './loadTokenizer.ts';
export { compileChatTemplate, DEFAULT_CHAT_TEMPLATE } from './chatTemplate.ts';
export { createDecodeStream, type DecodeStream } from './createDecodeStream.ts';
