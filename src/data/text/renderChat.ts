import type { ChatMessage, LmTokenizer } from '../../tokenizers/lmTokenizer.ts';
import { tokenCharEnds, type CharSpan } from './tokenizeWithSpans.ts';

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
 * turn sits in the text. Templates are arbitrary Jinja, so we do not guess their markup:
 * - start: the conversation before turn i rendered with the generation prompt ends exactly where
 *   the answer starts (the common prefix with the full text, so markup the template adds only to the
 *   last turn, such as Qwen3's empty <think></think>, is trained as part of the answer);
 * - end of the answer: the full conversation is rendered once more with an invisible marker after
 *   each trained answer, which says where the template put it (templates may drop, trim or move text
 *   around the answer: Qwen3 strips earlier turns' reasoning, Gemma trims);
 * - end of the turn: what the template writes after turn i when the conversation ends there (its
 *   end-of-turn marker, which the model must learn to emit), as far as the full text agrees, in
 *   whole tokens.
 * When the marker cannot be traced (a template that inspects or rewrites the answer), the end is the
 * common prefix of the conversation through turn i with the full text, which errs towards training
 * differing markup rather than missing the answer.
 * Throws what the template throws (EngineError chat-template-failed).
 */
export function renderChat(tokenizer: LmTokenizer, messages: WeightedMessage[], variables?: Record<string, unknown>): RenderedChat {
  const render = (msgs: ChatMessage[], addGenerationPrompt = false): string => tokenizer.applyChatTemplate(msgs, { addGenerationPrompt, variables });
  const plain = messages.map(({ role, content }) => ({ role, content }));
  const text = render(plain);
  const trained = plain.flatMap((m, i) => (m.role === 'assistant' && messages[i]!.weight !== 0 ? [i] : []));
  const marker = unusedChar(plain);
  const answerEnds = marker === null ? null : markedPositions(render(withMarkers(plain, trained, marker)), marker, text, trained.length);
  const spans: CharSpan[] = [];
  trained.forEach((i, k) => {
    const start = i === 0 ? openingOfFirstTurn() : commonPrefix(render(plain.slice(0, i), true), text);
    const end = answerEnds ? turnEnd(i, answerEnds[k]!) : commonPrefix(render(plain.slice(0, i + 1)), text);
    if (end > start) spans.push({ start, end });
  });
  return { text, spans };

  function openingOfFirstTurn(): number {
    // Some templates refuse an empty conversation; then the answer is trained from the very start.
    try {
      return commonPrefix(render([], true), text);
    } catch {
      return 0;
    }
  }

  /** The answer of turn i ends at `answerEnd` in the text; its closing markup follows. */
  function turnEnd(i: number, answerEnd: number): number {
    const alone = render(withMarkers(plain.slice(0, i + 1), [i], marker!));
    const at = alone.indexOf(marker!);
    const closing = at < 0 ? '' : alone.slice(at + 1);
    const shared = commonPrefix(closing, text.slice(answerEnd));
    if (shared === closing.length) return answerEnd + shared;
    // The text goes on differently (the next turn): keep whole tokens of the closing markup only, so
    // "<|end|>\n<|endoftext|>" against "<|end|>\n<|user|>" stops before "<|", not after it.
    const ends = tokenCharEnds(tokenizer, tokenizer.encode(closing, { addSpecialTokens: false }), closing);
    return answerEnd + Math.max(0, ...ends.filter((e) => e <= shared));
  }
}

/** The messages with a marker after the last non-space character of each trained answer. */
function withMarkers(messages: ChatMessage[], trained: number[], marker: string): ChatMessage[] {
  return messages.map((m, i) => {
    if (!trained.includes(i)) return m;
    // Before trailing whitespace, so a template that trims the answer keeps the marker in place.
    const body = m.content.trimEnd();
    return { role: m.role, content: body + marker + m.content.slice(body.length) };
  });
}

/**
 * Where each marker sits in `text`, in order, or null unless the marked render is exactly `text`
 * with `count` markers added (a template that rewrote or reordered the answers).
 */
function markedPositions(marked: string, marker: string, text: string, count: number): number[] | null {
  const parts = marked.split(marker);
  if (parts.length !== count + 1 || parts.join('') !== text) return null;
  const positions: number[] = [];
  let at = 0;
  for (const part of parts.slice(0, -1)) positions.push((at += part.length));
  return positions;
}

/** A private-use character no message contains (templates pass it through untouched: not whitespace, not markup). */
function unusedChar(messages: ChatMessage[]): string | null {
  for (let code = 0xe000; code <= 0xf8ff; code++) {
    const c = String.fromCharCode(code);
    if (!messages.some((m) => m.content.includes(c))) return c;
  }
  return null;
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
