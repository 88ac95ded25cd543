/** The validation share is typed as a percentage (1–50). */
export const MIN_PERCENT = 1;
export const MAX_PERCENT = 50;

/**
 * Reads the validation-share field into percent. "0.2" is taken as the fraction 0.2 (20%): a share
 * below 1% is never meant (min is 1%), and people often type the fraction the API uses.
 */
export function parsePercent(text: string): number | null {
  const trimmed = text.trim().replace(/%$/, '');
  if (trimmed === '') return null;
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return null;
  return n > 0 && n < 1 ? Math.round(n * 10000) / 100 : n;
}

/** Percent (as shown) to the fraction the engine takes, without float dust (15 -> 0.15, not 0.15000000000000002). */
export function percentToFraction(percent: number): number {
  return Math.round(percent * 100) / 10000;
}

export function fractionToPercent(fraction: number): number {
  return Math.round(fraction * 10000) / 100;
}
