import { Tokenizer } from '@huggingface/tokenizers';
import { EngineError, showValue } from '../errors.ts';
import { compileChatTemplate, DEFAULT_CHAT_TEMPLATE, type TemplateTokens } from './chatTemplate.ts';
import type { ChatTemplateSource, LmTokenizer } from './lmTokenizer.ts';
import { parseJsonFile } from './parseJsonFile.ts';

/** Model types @huggingface/tokenizers implements (WordLevel, for one, it does not). */
const SUPPORTED_MODELS = ['BPE', 'Unigram', 'WordPiece'];

/** EOS spellings of common causal LMs, tried only when tokenizer_config.json is missing. */
const KNOWN_EOS = ['<|endoftext|>', '</s>', '<|end_of_text|>', '<eos>', '<|im_end|>'];
const KNOWN_BOS = ['<s>', '<|begin_of_text|>', '<bos>'];

export interface LoadTokenizerOptions {
  /** Contents of chat_template.jinja: transformers 5 saves the template there instead of tokenizer_config.json. */
  chatTemplate?: string | null;
}

/**
 * Builds a tokenizer from a model's tokenizer.json (and tokenizer_config.json, which names the
 * special tokens and holds the chat template). `label` names the model in error messages.
 * Throws EngineError: tokenizer-invalid-json, tokenizer-invalid, tokenizer-unsupported-model,
 * chat-template-invalid.
 */
export function loadTokenizer(
  tokenizerJson: string,
  tokenizerConfigJson: string | null,
  label: string,
  options: LoadTokenizerOptions = {},
): LmTokenizer {
  const json = parseJsonFile(tokenizerJson, `tokenizer.json of ${label}`, 'tokenizer-invalid-json');
  const model = isObject(json) ? json['model'] : undefined;
  if (!isObject(json) || !isObject(model)) {
    throw new EngineError('tokenizer-invalid', `tokenizer.json of ${label} has no "model" section: it is not a Hugging Face tokenizer file.`);
  }
  const type = model['type'];
  if (type !== undefined && !(typeof type === 'string' && SUPPORTED_MODELS.includes(type))) {
    throw new EngineError(
      'tokenizer-unsupported-model',
      `tokenizer.json of ${label} uses a ${showValue(type)} model, which Tabtune cannot run; supported: ${SUPPORTED_MODELS.join(', ')}.`,
    );
  }
  const vocab = model['vocab'];
  if (vocab !== undefined && (vocab === null || typeof vocab !== 'object')) {
    throw new EngineError('tokenizer-invalid', `tokenizer.json of ${label}: "model.vocab" must be a table of tokens, got ${showValue(vocab)}. Re-download the file.`);
  }
  const rawConfig = tokenizerConfigJson === null ? {} : parseJsonFile(tokenizerConfigJson, `tokenizer_config.json of ${label}`, 'tokenizer-invalid-json');
  if (!isObject(rawConfig)) {
    throw new EngineError('tokenizer-invalid', `tokenizer_config.json of ${label} must hold a JSON object.`);
  }
  // Older files store special tokens as {"content": ...} objects; the library wants plain strings.
  const config: Record<string, unknown> = { ...rawConfig };
  for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) config[key] = tokenText(rawConfig[key]);
  // transformers 5 no longer cleans up spaces on decode by default; the library would, which breaks round trips.
  config['clean_up_tokenization_spaces'] = rawConfig['clean_up_tokenization_spaces'] === true;

  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, config);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new EngineError('tokenizer-invalid', `tokenizer.json of ${label} could not be loaded (${detail}). Check that it comes from a supported model.`);
  }

  const idOf = (token: string | null): number | null => (token === null ? null : (tokenizer.token_to_id(token) ?? null));
  const firstKnown = (names: string[]): number | null => names.map(idOf).find((id) => id !== null) ?? null;
  const noConfig = tokenizerConfigJson === null;
  const bosId = idOf(config['bos_token'] as string | null) ?? (noConfig ? firstKnown(KNOWN_BOS) : null);
  const eosId = idOf(config['eos_token'] as string | null) ?? (noConfig ? firstKnown(KNOWN_EOS) : null);
  const padId = idOf(config['pad_token'] as string | null) ?? eosId ?? 0;

  let vocabSize = 0;
  for (const id of tokenizer.get_vocab(true).values()) vocabSize = Math.max(vocabSize, id + 1);
  const specialIds = new Set<number>();
  for (const [id, added] of tokenizer.get_added_tokens_decoder()) if (added.special) specialIds.add(id);

  const ownTemplate = pickTemplate(options.chatTemplate ?? null, rawConfig['chat_template']);
  const chatTemplateSource: ChatTemplateSource =
    options.chatTemplate != null ? 'chat_template_file' : ownTemplate !== null ? 'tokenizer_config' : 'default';
  const tokenOf = (id: number | null): string | null => (id === null ? null : (tokenizer.id_to_token(id) ?? null));
  const templateTokens: TemplateTokens = {
    bos_token: (config['bos_token'] as string | null) ?? tokenOf(bosId),
    eos_token: (config['eos_token'] as string | null) ?? tokenOf(eosId),
    pad_token: config['pad_token'] as string | null,
    unk_token: config['unk_token'] as string | null,
  };
  const render = compileChatTemplate(ownTemplate ?? DEFAULT_CHAT_TEMPLATE, templateTokens, label);

  return {
    label,
    vocabSize,
    bosId,
    eosId,
    padId,
    specialIds,
    chatTemplate: ownTemplate,
    chatTemplateSource,
    encode: (text, opts = {}) => tokenizer.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids,
    decode: (ids, opts = {}) =>
      ids.length === 0 ? '' : tokenizer.decode(Array.from(ids), { skip_special_tokens: opts.skipSpecialTokens ?? false }),
    tokenToId: (token) => idOf(token),
    applyChatTemplate: render,
  };
}

/** tokenizer_config.json may hold one template, or a list of named ones where "default" is the chat one. */
function pickTemplate(fromFile: string | null, fromConfig: unknown): string | null {
  if (fromFile !== null) return fromFile;
  if (typeof fromConfig === 'string' && fromConfig.trim() !== '') return fromConfig;
  if (Array.isArray(fromConfig)) {
    const named = fromConfig.filter(isObject);
    const chosen = named.find((t) => t['name'] === 'default') ?? named[0];
    if (chosen && typeof chosen['template'] === 'string') return chosen['template'];
  }
  return null;
}

function tokenText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['content'] === 'string') return value['content'];
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
