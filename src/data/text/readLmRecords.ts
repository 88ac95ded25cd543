import { EngineError, showValue } from '../../errors.ts';
import type { LmFormat } from './lmTypes.ts';
import type { WeightedMessage } from './renderChat.ts';

export type LmRecord =
  | { kind: 'text'; line: number; text: string }
  | { kind: 'prompt-completion'; line: number; prompt: string; completion: string }
  | { kind: 'alpaca'; line: number; instruction: string; input: string; output: string }
  | { kind: 'chat'; line: number; messages: WeightedMessage[] };

export interface RecordProblem {
  line: number;
  message: string;
}

export interface ReadRecords {
  format: Exclude<LmFormat, 'plain-text'>;
  records: LmRecord[];
  problems: RecordProblem[];
  /** Non-empty lines read. */
  lineCount: number;
}

/** Longest JSONL line read (in characters): one record is a conversation or a document, not a whole file. */
export const MAX_LM_LINE_CHARS = 4 * 1024 * 1024;

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const EXPECTED = 'expected "text", "prompt" and "completion", "messages", or "instruction" and "output"';

/**
 * Reads JSONL into typed records. Empty lines are skipped silently; lines that are not JSON or have
 * the wrong shape become problems ("Line N: ..."), which the caller skips or fails on. The first
 * good line fixes the file's format: a later good line in another format is an error, since
 * mixing (say) chat and plain text almost always means two files were concatenated by mistake.
 * Throws EngineError lm-mixed-formats, lm-line-too-long.
 */
export function readLmRecords(name: string, text: string, maxLineChars = MAX_LM_LINE_CHARS): ReadRecords {
  const lines = text.split(/\r?\n/);
  const long = lines.findIndex((l) => l.length > maxLineChars);
  if (long >= 0) {
    throw new EngineError(
      'lm-line-too-long',
      `${name}, line ${long + 1}: ${lines[long]!.length.toLocaleString('en-US')} characters, above the ${maxLineChars.toLocaleString('en-US')}-character limit for one record. Split the record, or check that the file has one JSON object per line.`,
    );
  }
  if (lines[0]?.charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
  const records: LmRecord[] = [];
  const problems: RecordProblem[] = [];
  let lineCount = 0;
  let format: ReadRecords['format'] | null = null;
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    lineCount++;
    const result = readRecord(raw, line);
    if (typeof result === 'string') {
      problems.push({ line, message: `Line ${line}: ${result}` });
      return;
    }
    if (format === null) format = result.kind;
    else if (result.kind !== format) {
      const first = records[0]!.line;
      throw new EngineError(
        'lm-mixed-formats',
        `${name}, line ${line}: this line is in the ${result.kind} format, but the file started in the ${format} format (line ${first}). Use one format per file.`,
      );
    }
    records.push(result);
  });
  return { format: format ?? 'text', records, problems, lineCount };
}

/** One JSONL line as an object, or why it is not one (`expected` says what the file's lines should hold). */
export function jsonObjectLine(raw: string, expected: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return `not valid JSON (${error instanceof Error ? error.message : String(error)}).`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected a JSON object, ${expected}.`;
  return value as Record<string, unknown>;
}

/** One line as a record, or the reason it is unusable (without the "Line N:" prefix). */
function readRecord(raw: string, line: number): LmRecord | string {
  const obj = jsonObjectLine(raw, EXPECTED);
  if (typeof obj === 'string') return obj;
  if ('messages' in obj) return readChat(obj['messages'], line);
  if ('prompt' in obj || 'completion' in obj) {
    const prompt = obj['prompt'];
    const completion = obj['completion'];
    if (typeof prompt !== 'string' || typeof completion !== 'string') return '"prompt" and "completion" must both be strings.';
    return { kind: 'prompt-completion', line, prompt, completion };
  }
  if ('instruction' in obj || 'output' in obj) {
    const { instruction, output } = obj;
    const input = obj['input'] ?? '';
    if (typeof instruction !== 'string' || typeof output !== 'string' || typeof input !== 'string') {
      return '"instruction" and "output" (and "input", when present) must be strings.';
    }
    return { kind: 'alpaca', line, instruction, input, output };
  }
  if ('text' in obj) {
    if (typeof obj['text'] !== 'string') return '"text" must be a string.';
    return { kind: 'text', line, text: obj['text'] };
  }
  const keys = Object.keys(obj);
  return `no recognised keys (${EXPECTED}; found ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'none'}).`;
}

function readChat(value: unknown, line: number): LmRecord | string {
  if (!Array.isArray(value) || value.length === 0) return '"messages" must be a non-empty list of {"role", "content"} objects.';
  const messages: WeightedMessage[] = [];
  for (let m = 0; m < value.length; m++) {
    const item: unknown = value[m];
    const at = `message ${m + 1}`;
    if (typeof item !== 'object' || item === null) return `${at} is not an object with "role" and "content".`;
    const { role, content, weight } = item as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.has(role)) return `${at} has role ${showValue(role)}; expected one of ${[...ROLES].join(', ')}.`;
    if (typeof content !== 'string') return `${at} (${role}) has no text "content" (it must be a string).`;
    if (weight !== undefined && weight !== 0 && weight !== 1) return `${at} has weight ${showValue(weight)}; expected 0 or 1.`;
    messages.push(weight === undefined ? { role, content } : { role, content, weight });
  }
  return { kind: 'chat', line, messages };
}
