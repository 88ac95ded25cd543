/** One training row of a language-model dataset. */
export interface LmExample {
  ids: Int32Array;
  /** 1 where the token is a training target (the loss predicts it from the tokens before it). */
  mask: Uint8Array;
}

/** How the file was read: plain text, or which JSONL record shape it holds. */
export type LmFormat = 'plain-text' | 'text' | 'prompt-completion' | 'chat' | 'alpaca';

export interface LmIssue {
  /** 1-based line in the source file. */
  line: number;
  /** A sentence that starts "Line N: ". */
  message: string;
}

export interface TokenLengthBin {
  /** Token counts in [start, end). */
  start: number;
  end: number;
  count: number;
}

export interface TokenLengthHistogram {
  bins: TokenLengthBin[];
  /** Examples longer than maxLength (truncated, unless packed). */
  above: number;
  maxLength: number;
  longest: number;
  mean: number;
}

export interface LmDataset {
  name: string;
  format: LmFormat;
  examples: LmExample[];
  /** Examples cut to maxLength (never when packing: packed tokens flow into the next block). */
  truncated: number;
  /** Lengths of the examples as tokenized, before truncation or packing. */
  tokenCounts: TokenLengthHistogram;
  totalTokens: number;
  trainedTokens: number;
  /** Skipped lines, in file order (at most maxListedIssues; badLines counts them all). */
  issues: LmIssue[];
  badLines: number;
  /** Lines in the file (blank ones included; a last line without a line break counts). */
  linesInFile: number;
  /** Records read: JSONL's non-blank lines, or 1 for a plain-text document. */
  records: number;
  /** Records that became training examples (records less the skipped ones). */
  recordsUsed: number;
}

export type BadLinePolicy = 'skip' | 'fail';

export interface LmDatasetOptions {
  /** Tokens per row (default 512). */
  maxLength?: number;
  /** Concatenate examples into rows of exactly maxLength tokens instead of one example per row (default false). */
  packing?: boolean;
  /** Train on prompts, user and system turns too, not only completions and assistant turns (default false). */
  trainOnPrompt?: boolean;
  /** End every example with EOS so the model learns to stop (default true). */
  appendEos?: boolean;
  /** Skip and list bad lines (default), or fail on the first. */
  onBadLine?: BadLinePolicy;
  maxListedIssues?: number;
}

export const DEFAULT_LM_MAX_LENGTH = 512;
