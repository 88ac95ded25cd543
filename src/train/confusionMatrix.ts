/**
 * Confusion matrix and the accuracies read from it. Pure JS: feed it the labels and the
 * predictions once they are on the CPU (the validation passes read them with the loss).
 * matrix[t][p] counts samples of true class t predicted as class p.
 */
type Labels = Int32Array | readonly number[];

function assertClassId(name: string, value: number, numClasses: number, index: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= numClasses) {
    throw new RangeError(`${name}[${index}] = ${value} is not a class id in [0, ${numClasses})`);
  }
}

export function confusionMatrix(labels: Labels, predictions: Labels, numClasses: number): number[][] {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`numClasses must be a positive integer, got ${numClasses}`);
  if (labels.length !== predictions.length) {
    throw new RangeError(`labels (${labels.length}) and predictions (${predictions.length}) differ in length`);
  }
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = predictions[i]!;
    assertClassId('labels', t, numClasses, i);
    assertClassId('predictions', p, numClasses, i);
    matrix[t]![p]! += 1;
  }
  return matrix;
}

/** Recall per class: matrix[c][c] / (samples of class c); NaN for a class with no samples. */
export function perClassAccuracy(matrix: readonly (readonly number[])[]): number[] {
  return matrix.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total > 0 ? (row[c] ?? 0) / total : Number.NaN;
  });
}

/** Overall accuracy: trace / total; NaN for an empty matrix. */
export function accuracy(matrix: readonly (readonly number[])[]): number {
  let correct = 0;
  let total = 0;
  matrix.forEach((row, c) => {
    correct += row[c] ?? 0;
    for (const n of row) total += n;
  });
  return total > 0 ? correct / total : Number.NaN;
}
