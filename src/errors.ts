/**
 * Every failure the engine reports to a person goes through EngineError: a stable `code` that tests
 * and the UI can switch on, and a `message` that says what went wrong, where, and what to do.
 */
export class EngineError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}

/** Turns anything thrown into { code, message } without losing an EngineError's own words. */
export function toErrorInfo(error: unknown): { code: string; message: string } {
  if (error instanceof EngineError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'internal', message: error.message || error.name };
  return { code: 'internal', message: String(error) };
}

/** A value read from a file, for a message: JSON, cut to 80 characters (never throws, even on deep nesting). */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Array.isArray(value) ? '[...]' : typeof value;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
