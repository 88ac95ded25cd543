import { Template } from '@huggingface/jinja';
import { EngineError } from '../errors.ts';
import type { ChatMessage, ChatTemplateOptions } from './lmTokenizer.ts';

/**
 * ChatML, used when a model ships no chat template (base models such as GPT-2): it needs no special
 * tokens to exist, so it renders for any vocabulary, and it marks turns unambiguously.
 */
export const DEFAULT_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The special-token strings transformers hands every chat template (its special_tokens_map). */
export interface TemplateTokens {
  bos_token: string | null;
  eos_token: string | null;
  pad_token: string | null;
  unk_token: string | null;
}

export type ChatRenderer = (messages: ChatMessage[], options?: ChatTemplateOptions) => string;

/**
 * Parses a Jinja chat template once and returns a renderer that passes the same variables as
 * transformers' apply_chat_template (messages, tools, documents, add_generation_prompt, the special
 * tokens and any extra keyword variables), so a template written for Python renders the same text
 * here (checked on Qwen3, Gemma 2/3, Llama 3.2 and Phi-3.5/4 templates: chatTemplate.test.ts).
 */
export function compileChatTemplate(source: string, tokens: TemplateTokens, label: string): ChatRenderer {
  let template: Template;
  try {
    template = new Template(source);
  } catch (error) {
    throw new EngineError(
      'chat-template-invalid',
      `The chat template of ${label} cannot be parsed (${messageOf(error)}). Fix the "chat_template" entry or remove it to use the default ChatML template.`,
    );
  }
  return (messages, options = {}) => {
    try {
      // transformers' render_jinja_template passes tools and documents (None when not given) beside the
      // messages, then the special tokens and the caller's keyword arguments.
      return template.render({
        messages,
        tools: null,
        documents: null,
        add_generation_prompt: options.addGenerationPrompt ?? false,
        ...tokens,
        ...options.variables,
      });
    } catch (error) {
      // Templates call raise_exception() to reject conversations (say, roles that do not alternate).
      throw new EngineError('chat-template-failed', `The chat template of ${label} rejected the conversation: ${messageOf(error)}`);
    }
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
