import { EngineError } from '../../errors.ts';
import type { LmTokenizer } from '../../tokenizers/lmTokenizer.ts';
import { alpacaPrompt } from './alpacaPrompt.ts';
import { DEFAULT_LM_MAX_LENGTH, type LmDataset, type LmDatasetOptions, type LmExample, type LmIssue } from './lmTypes.ts';
import { packExamples } from './packExamples.ts';
import { readLmRecords, type LmRecord } from './readLmRecords.ts';
import { renderChat } from './renderChat.ts';
import { tokenLengthHistogram } from './tokenLengthHistogram.ts';
import { tokenizeWithSpans, type TokenizedSpans } from './tokenizeWithSpans.ts';

export interface LmSource {
  name: string;
  text: string;
}

const PLAIN_EXTENSIONS = /\.(txt|text|md|markdown)$/i;
const JSONL_EXTENSIONS = /\.(jsonl|ndjson)$/i;

/**
 * Reads a language-model dataset and tokenizes it for causal-LM fine-tuning.
 * - .txt/.md: the whole file is one document; every token is trained; rows are always packed.
 * - .jsonl: one record per line, {"text"}, {"prompt","completion"}, {"messages":[...]} (rendered
 *   with the chat template) or Alpaca {"instruction","input","output"}; by default only the
 *   completion, answer and assistant tokens are trained.
 * Other extensions are sniffed: a first line that parses as a JSON object means JSONL.
 * Throws EngineError: lm-empty, lm-json-array, lm-mixed-formats, lm-bad-line, lm-no-examples, lm-no-eos.
 */
export function parseLmDataset(source: LmSource, tokenizer: LmTokenizer, options: LmDatasetOptions = {}): LmDataset {
  const maxLength = options.maxLength ?? DEFAULT_LM_MAX_LENGTH;
  if (!(Number.isInteger(maxLength) && maxLength >= 2)) throw new RangeError(`maxLength must be an integer >= 2, got ${maxLength}`);
  const text = source.text.charCodeAt(0) === 0xfeff ? source.text.slice(1) : source.text;
  if (text.trim() === '') throw new EngineError('lm-empty', `${source.name} is empty: it has no text to train on.`);
  const appendEos = options.appendEos ?? true;
  if (appendEos && tokenizer.eosId === null) {
    throw new EngineError('lm-no-eos', `The tokenizer of ${tokenizer.label} names no EOS token, which every example ends with. Add "eos_token" to its tokenizer_config.json.`);
  }

  if (isPlainText(source.name, text)) {
    const { ids, mask } = tokenizeWithSpans(tokenizer, text, [{ start: 0, end: text.length }], true);
    const example = finish(ids, mask, appendEos ? 1 : null, tokenizer);
    return summarize(source.name, 'plain-text', packExamples([example], maxLength), [example.ids.length], maxLength, 0, [], 0, { linesInFile: countLines(text), records: 1, recordsUsed: 1 });
  }
  if (text.trimStart().startsWith('[')) {
    throw new EngineError('lm-json-array', `${source.name} holds a JSON array; Tabtune reads JSONL, one JSON object per line. Write each record on its own line.`);
  }

  const { format, records, problems, lineCount } = readLmRecords(source.name, text);
  const issues: LmIssue[] = [];
  const maxListed = options.maxListedIssues ?? 100;
  let badLines = 0;
  const reject = (issue: LmIssue): void => {
    if (options.onBadLine === 'fail') {
      throw new EngineError('lm-bad-line', `${source.name}: ${issue.message} Fix the line, or choose to skip bad lines.`);
    }
    badLines++;
    if (issues.length < maxListed) issues.push(issue);
  };
  // Problems and records are each in line order; merge them so issues come out in file order.
  const examples: LmExample[] = [];
  const lengths: number[] = [];
  let p = 0;
  for (const record of records) {
    while (p < problems.length && problems[p]!.line < record.line) reject(problems[p++]!);
    let tokenized: TokenizedSpans;
    try {
      tokenized = tokenizeRecord(record, tokenizer, options.trainOnPrompt ?? false);
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      reject({ line: record.line, message: `Line ${record.line}: ${error.message}` });
      continue;
    }
    const eosMask = appendEos ? (record.kind === 'chat' ? (tokenized.mask[tokenized.mask.length - 1] ?? 0) : 1) : null;
    const example = finish(tokenized.ids, tokenized.mask, eosMask, tokenizer);
    if (!example.mask.includes(1)) {
      reject({ line: record.line, message: `Line ${record.line}: nothing to train on (no completion or assistant message with weight 1).` });
      continue;
    }
    examples.push(example);
    lengths.push(example.ids.length);
  }
  while (p < problems.length) reject(problems[p++]!);

  if (examples.length === 0) {
    const first = issues[0] ? ` The first problem: ${issues[0].message}` : '';
    throw new EngineError('lm-no-examples', `${source.name} has no usable lines (${lineCount} read, all skipped).${first}`);
  }
  let truncated = 0;
  const rows = options.packing
    ? packExamples(examples, maxLength)
    : examples.map((e) => {
        if (e.ids.length <= maxLength) return e;
        truncated++;
        return { ids: e.ids.slice(0, maxLength), mask: e.mask.slice(0, maxLength) };
      });
  return summarize(source.name, format, rows, lengths, maxLength, truncated, issues, badLines, { linesInFile: countLines(text), records: lineCount, recordsUsed: examples.length });
}

/** Lines in a text: its line breaks (\r\n, \n or \r), plus a last line without one. */
export function countLines(text: string): number {
  if (text === '') return 0;
  const breaks = text.match(/\r\n|\r|\n/g)?.length ?? 0;
  return breaks + (/[\r\n]$/.test(text) ? 0 : 1);
}

function isPlainText(name: string, text: string): boolean {
  if (PLAIN_EXTENSIONS.test(name)) return true;
  if (JSONL_EXTENSIONS.test(name) || /\.json$/i.test(name)) return false;
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '')!.trim();
  if (!first.startsWith('{')) return !first.startsWith('[');
  try {
    return typeof JSON.parse(first) !== 'object';
  } catch {
    return true;
  }
}

/** Text and trained character spans of one record; chat goes through the model's chat template. */
function tokenizeRecord(record: LmRecord, tokenizer: LmTokenizer, trainOnPrompt: boolean): TokenizedSpans {
  if (record.kind === 'chat') {
    const { text, spans } = renderChat(tokenizer, record.messages);
    // Templates write BOS themselves ({{ bos_token }}), so the post-processor must not add a second.
    return tokenizeWithSpans(tokenizer, text, trainOnPrompt ? [{ start: 0, end: text.length }] : spans, false);
  }
  const [prompt, completion] =
    record.kind === 'text'
      ? ['', record.text]
      : record.kind === 'prompt-completion'
        ? [record.prompt, record.completion]
        : [alpacaPrompt(record.instruction, record.input), record.output];
  const text = prompt + completion;
  return tokenizeWithSpans(tokenizer, text, [{ start: trainOnPrompt ? 0 : prompt.length, end: text.length }], true);
}

/** Appends EOS (unless the text already ends with it) with the given mask, and packs into typed arrays. */
function finish(ids: number[], mask: number[], eosMask: number | null, tokenizer: LmTokenizer): LmExample {
  if (eosMask !== null && ids[ids.length - 1] !== tokenizer.eosId) {
    ids = [...ids, tokenizer.eosId!];
    mask = [...mask, eosMask];
  }
  return { ids: Int32Array.from(ids), mask: Uint8Array.from(mask) };
}

function summarize(
  name: string,
  format: LmDataset['format'],
  examples: LmExample[],
  lengths: number[],
  maxLength: number,
  truncated: number,
  issues: LmIssue[],
  badLines: number,
  counts: Pick<LmDataset, 'linesInFile' | 'records' | 'recordsUsed'>,
): LmDataset {
  let totalTokens = 0;
  let trainedTokens = 0;
  for (const e of examples) {
    totalTokens += e.ids.length;
    for (let t = 0; t < e.mask.length; t++) trainedTokens += e.mask[t]!;
  }
  return { name, format, examples, truncated, tokenCounts: tokenLengthHistogram(lengths, maxLength), totalTokens, trainedTokens, issues, badLines, ...counts };
}
