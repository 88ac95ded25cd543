/** Pure helpers for the evaluation panel (DOM-free, unit-tested). */

/** 0..1 shade for a confusion cell: its count against the largest count in the matrix. */
export function cellShade(count: number, max: number): number {
  if (!(max > 0) || !(count > 0)) return 0;
  return Math.min(1, count / max);
}

export function matrixMax(confusion: readonly (readonly number[])[]): number {
  let max = 0;
  for (const row of confusion) for (const c of row) if (c > max) max = c;
  return max;
}

/** Images per true class (row sums): what each per-class accuracy is out of. */
export function rowTotals(confusion: readonly (readonly number[])[]): number[] {
  return confusion.map((row) => row.reduce((a, b) => a + b, 0));
}

/** Background of a cell: green on the diagonal (right), red off it (wrong), stronger with the count. */
export function cellBackground(shade: number, correct: boolean): string {
  if (shade === 0) return 'transparent';
  const alpha = (0.12 + 0.78 * shade).toFixed(3);
  return correct ? `rgba(5, 150, 105, ${alpha})` : `rgba(220, 38, 38, ${alpha})`;
}
