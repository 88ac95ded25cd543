/** Command-line flags, parsed with node:util parseArgs; every mistake is one UsageError line. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BackendChoice } from '../api.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(args: string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    // parseArgs' messages are already one sentence ("Unknown option '--x'..."); keep the first line.
    throw new UsageError((e as Error).message.split('\n')[0] ?? String(e));
  }
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function num(p: Parsed, name: string, check: 'int' | 'positive-int' | 'number' | 'fraction'): number | undefined {
  const text = str(p, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  const ok =
    text.trim() !== '' &&
    Number.isFinite(n) &&
    (check === 'number' ||
      (check === 'int' && Number.isInteger(n) && n >= 0) ||
      (check === 'positive-int' && Number.isInteger(n) && n > 0) ||
      (check === 'fraction' && n >= 0 && n < 1));
  if (!ok) {
    const want = { int: 'a whole number (0 or more)', 'positive-int': 'a whole number above 0', number: 'a number', fraction: 'a number from 0 up to (not including) 1' }[check];
    throw new UsageError(`--${name} ${text}: expected ${want}.`);
  }
  return n;
}

const BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

export const BACKEND_OPTION: Options = { backend: { type: 'string' }, threads: { type: 'string' } };

/** The backend a command starts, and the threads WASM runs on (undefined: every core). */
export interface BackendFlags {
  backend: BackendChoice;
  threads: number | undefined;
}

/** --backend, default wasm (the fast CPU path in Node; `auto` and `webgpu` start Dawn), and --threads N for WASM. */
export function backendOf(p: Parsed): BackendFlags {
  const b = str(p, 'backend') ?? 'wasm';
  if (!(BACKENDS as readonly string[]).includes(b)) throw new UsageError(`--backend ${b}: use one of ${BACKENDS.join(', ')}.`);
  return { backend: b as BackendChoice, threads: num(p, 'threads', 'positive-int') };
}
