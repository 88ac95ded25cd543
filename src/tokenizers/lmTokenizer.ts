/** One chat turn as datasets and chat templates carry it. */
export interface ChatMessage {
  role: string;
  content: string;
}

export interface EncodeOptions {
  /** Add what the tokenizer's post-processor adds (Llama's BOS, for example). Default true, as in transformers. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
}

export interface ChatTemplateOptions {
  /** Append the header that opens an assistant turn, for generation. */
  addGenerationPrompt?: boolean;
  /**
   * More template variables, as the keyword arguments of transformers' apply_chat_template:
   * Qwen3's `enable_thinking`, Llama 3's `date_string`.
   */
  variables?: Record<string, unknown>;
}

/** Where the chat template came from: the model's files, or Tabtune's ChatML fallback. */
export type ChatTemplateSource = 'tokenizer_config' | 'chat_template_file' | 'default';

/** A causal-LM tokenizer built from Hugging Face files: the small surface training and sampling need. */
export interface LmTokenizer {
  /** The file or model name errors refer to. */
  readonly label: string;
  /** Ids are in [0, vocabSize): the model's vocabulary plus added tokens. */
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  /** The pad token, else the EOS token (what fine-tuning scripts do), else 0; padded positions are masked anyway. */
  readonly padId: number;
  /** Ids of tokens marked special (skipped by decode with skipSpecialTokens). */
  readonly specialIds: ReadonlySet<number>;
  /** The model's own chat template, or null when its files have none (applyChatTemplate then uses ChatML). */
  readonly chatTemplate: string | null;
  /** Which template applyChatTemplate renders with. */
  readonly chatTemplateSource: ChatTemplateSource;
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  tokenToId(token: string): number | null;
  applyChatTemplate(messages: ChatMessage[], options?: ChatTemplateOptions): string;
}
