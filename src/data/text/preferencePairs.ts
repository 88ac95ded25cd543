/**
 * Preference pairs from JSONL, in the three shapes people have them in:
 *   - TRL standard:        {"prompt": "...", "chosen": "...", "rejected": "..."}
 *   - TRL conversational:  {"prompt": [messages], "chosen": [messages], "rejected": [messages]}
 *                          (or, without "prompt", chosen and rejected as whole conversations that
 *                          share their first turns: the shared turns are the prompt, as TRL's
 *                          extract_prompt takes them)
 *   - OpenAI preference:   {"input": {"messages": [...]}, "preferred_output": [messages],
 *                          "non_preferred_output": [messages]}
 * Plain text only, no tokenizer (the job export to Python reads pairs with this same function).
 * Bad lines become "Line N: ..." issues; the first good line fixes the file's format.
 */
import type { PreferenceFormat } from '../../api/preferenceTypes.ts';
import { EngineError, showValue } from '../../errors.ts';
import type { ChatMessage } from '../../tokenizers/lmTokenizer.ts';
import { jsonObjectLine, MAX_LM_LINE_CHARS } from './readLmRecords.ts';

export type PreferenceText = string | ChatMessage[];

export interface PreferencePair {
  /** 1-based line in the file. */
  line: number;
  /** Strings in the standard format; message lists in the conversational and OpenAI formats. */
  prompt: PreferenceText;
  chosen: PreferenceText;
  rejected: PreferenceText;
}

export interface PreferencePairs {
  format: PreferenceFormat;
  pairs: PreferencePair[];
  issues: { line: number; message: string }[];
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const EXPECTED = 'expected "prompt", "chosen" and "rejected" (TRL), or "input", "preferred_output" and "non_preferred_output" (OpenAI)';

/** Reads every line; throws only for a file that cannot be a preference file at all (one over-long line, mixed formats). */
export function readPreferencePairs(name: string, text: string, maxLineChars = MAX_LM_LINE_CHARS): PreferencePairs {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
  const pairs: PreferencePair[] = [];
  const issues: { line: number; message: string }[] = [];
  let format: PreferenceFormat | null = null;
  let firstLine = 0;
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    if (raw.length > maxLineChars) {
      issues.push({ line, message: `Line ${line}: ${raw.length.toLocaleString('en-US')} characters, above the ${maxLineChars.toLocaleString('en-US')}-character limit for one pair; left out.` });
      return;
    }
    const read = readPair(raw, line);
    if (typeof read === 'string') {
      issues.push({ line, message: `Line ${line}: ${read}` });
      return;
    }
    if (format === null) {
      format = read.format;
      firstLine = line;
    } else if (read.format !== format) {
      throw new EngineError(
        'preference-mixed-formats',
        `${name}, line ${line}: this pair is in the ${read.format} format, but the file started in the ${format} format (line ${firstLine}). Use one format per file.`,
      );
    }
    pairs.push(read.pair);
  });
  if (pairs.length === 0) {
    const why = issues.length > 0 ? ` The first problem: ${issues[0]!.message}` : ' The file is empty.';
    throw new EngineError('preference-empty', `${name} has no usable preference pair (${EXPECTED}).${why}`);
  }
  return { format: format!, pairs, issues };
}

/** The text a person reads for one side of a pair (messages joined as "role: content"). */
export function preferenceText(value: PreferenceText): string {
  return typeof value === 'string' ? value : value.map((m) => (value.length === 1 && m.role === 'assistant' ? m.content : `${m.role}: ${m.content}`)).join('\n');
}

function readPair(raw: string, line: number): { format: PreferenceFormat; pair: PreferencePair } | string {
  const obj = jsonObjectLine(raw, EXPECTED);
  if (typeof obj === 'string') return obj;
  if ('preferred_output' in obj || 'non_preferred_output' in obj || 'input' in obj) return readOpenAi(obj, line);
  if (!('chosen' in obj) && !('rejected' in obj) && !('prompt' in obj)) {
    const keys = Object.keys(obj);
    return `no recognised keys (${EXPECTED}; found ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'none'}).`;
  }
  for (const key of ['chosen', 'rejected'] as const) if (!(key in obj)) return `"${key}" is missing; a pair needs "prompt", "chosen" and "rejected".`;
  const { chosen, rejected } = obj;
  if (typeof chosen === 'string' || typeof rejected === 'string') {
    const prompt = obj['prompt'];
    if (prompt === undefined) return '"prompt" is missing; a pair needs "prompt", "chosen" and "rejected".';
    if (typeof prompt !== 'string' || typeof chosen !== 'string' || typeof rejected !== 'string') {
      return '"prompt", "chosen" and "rejected" must all be strings, or all lists of {"role", "content"} messages.';
    }
    return checked('preference', { line, prompt, chosen, rejected });
  }
  const c = readMessages(chosen, '"chosen"');
  if (typeof c === 'string') return c;
  const r = readMessages(rejected, '"rejected"');
  if (typeof r === 'string') return r;
  if (obj['prompt'] === undefined) {
    // Implicit prompt: the turns chosen and rejected share (TRL's extract_prompt).
    let shared = 0;
    while (shared < Math.min(c.length, r.length) - 1 && c[shared]!.role === r[shared]!.role && c[shared]!.content === r[shared]!.content) shared++;
    if (shared === 0) return '"prompt" is missing, and "chosen" and "rejected" share no first turns to take it from.';
    return checked('preference-chat', { line, prompt: c.slice(0, shared), chosen: c.slice(shared), rejected: r.slice(shared) });
  }
  const p = readMessages(obj['prompt'], '"prompt"');
  if (typeof p === 'string') return p;
  return checked('preference-chat', { line, prompt: p, chosen: c, rejected: r });
}

function readOpenAi(obj: Record<string, unknown>, line: number): { format: PreferenceFormat; pair: PreferencePair } | string {
  const input = obj['input'];
  if (typeof input !== 'object' || input === null || !('messages' in input)) return '"input" must be an object with "messages" (OpenAI preference format).';
  for (const key of ['preferred_output', 'non_preferred_output']) if (!(key in obj)) return `"${key}" is missing (OpenAI preference format).`;
  const prompt = readMessages((input as Record<string, unknown>)['messages'], '"input.messages"');
  if (typeof prompt === 'string') return prompt;
  const chosen = readMessages(obj['preferred_output'], '"preferred_output"');
  if (typeof chosen === 'string') return chosen;
  const rejected = readMessages(obj['non_preferred_output'], '"non_preferred_output"');
  if (typeof rejected === 'string') return rejected;
  return checked('openai-preference', { line, prompt, chosen, rejected });
}

function readMessages(value: unknown, field: string): ChatMessage[] | string {
  if (!Array.isArray(value) || value.length === 0) return `${field} must be a non-empty string or list of {"role", "content"} messages.`;
  const out: ChatMessage[] = [];
  for (let m = 0; m < value.length; m++) {
    const item: unknown = value[m];
    const at = `${field} message ${m + 1}`;
    if (typeof item !== 'object' || item === null) return `${at} is not an object with "role" and "content".`;
    const { role, content } = item as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.has(role)) return `${at} has role ${showValue(role)}; expected one of ${[...ROLES].join(', ')}.`;
    if (typeof content !== 'string') return `${at} (${role}) has no text "content" (it must be a string).`;
    out.push({ role, content });
  }
  return out;
}

/** Empty completions and pairs whose two answers are the same teach nothing: refused by line. */
function checked(format: PreferenceFormat, pair: PreferencePair): { format: PreferenceFormat; pair: PreferencePair } | string {
  const empty = (v: PreferenceText) => (typeof v === 'string' ? v.trim() === '' : v.every((m) => m.content.trim() === ''));
  if (empty(pair.chosen)) return 'the chosen completion is empty.';
  if (empty(pair.rejected)) return 'the rejected completion is empty.';
  if (JSON.stringify(pair.chosen) === JSON.stringify(pair.rejected)) return 'chosen and rejected are the same; a pair needs two different answers.';
  return { format, pair };
}
