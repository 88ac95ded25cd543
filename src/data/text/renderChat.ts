import type { ChatMessage, LmTokenizer } from '../../tokenizers/lmTokenizer.ts';
import type { CharSpan } from './tokenizeWithSpans.ts';

/** A chat message from a dataset: weight 0 keeps an assistant turn as context without training on it. */
export interface WeightedMessage extends ChatMessage {
  weight?: number;
}

export interface RenderedChat {
  text: string;
  /** Character ranges of the trained assistant turns, their end-of-turn marker included. */
  spans: CharSpan[];
}

/**
 * Renders a conversation with the tokenizer's chat template and finds where each trained assistant
 * turn sits in the text. Templates are arbitrary Jinja, so we do not guess their markup: for an
 * assistant message i, the conversation before it rendered with the generation prompt ends exactly
 * where the answer starts, and the conversation through it ends where the turn (with its end marker,
 * which the model must learn to emit) ends. When a template renders earlier turns differently from
 * the last one, the longest common prefix with the full text is used, so the span errs towards
 * training the differing markup rather than missing the answer.
 * Throws what the template throws (EngineError chat-template-failed).
 */
export function renderChat(tokenizer: LmTokenizer, messages: WeightedMessage[]): RenderedChat {
  const plain = messages.map(({ role, content }) => ({ role, content }));
  const text = tokenizer.applyChatTemplate(plain);
  const spans: CharSpan[] = [];
  plain.forEach((message, i) => {
    if (message.role !== 'assistant' || messages[i]!.weight === 0) return;
    const start = i === 0 ? openingOfFirstTurn(tokenizer) : commonPrefix(tokenizer.applyChatTemplate(plain.slice(0, i), { addGenerationPrompt: true }), text);
    const end = commonPrefix(tokenizer.applyChatTemplate(plain.slice(0, i + 1)), text);
    if (end > start) spans.push({ start, end });
  });
  return { text, spans };

  function openingOfFirstTurn(tok: LmTokenizer): number {
    // Some templates refuse an empty conversation; then the answer is trained from the very start.
    try {
      return commonPrefix(tok.applyChatTemplate([], { addGenerationPrompt: true }), text);
    } catch {
      return 0;
    }
  }
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
