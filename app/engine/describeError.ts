import type { UiError } from '../store/noticeSlice.ts';

const FALLBACK = 'Something unexpected went wrong. Try again, or reload the page.';

/**
 * Turns anything a promise rejected with into a sentence for a person. Engine errors already carry
 * one; anything else is cut to its first line so a stack trace never reaches the page.
 */
export function describeError(title: string, error: unknown): Omit<UiError, 'id' | 'place'> {
  let message = '';
  let code: string | null = null;
  if (typeof error === 'object' && error !== null) {
    const { message: m, code: c } = error as { message?: unknown; code?: unknown };
    if (typeof m === 'string') message = m;
    if (typeof c === 'string' && c.length > 0) code = c;
  } else if (typeof error === 'string') {
    message = error;
  }
  const firstLine = (message.split('\n')[0] ?? '').trim();
  return { title, message: firstLine.length > 0 ? firstLine : FALLBACK, code };
}
