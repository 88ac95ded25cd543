/**
 * Early stopping on validation loss, after Keras' EarlyStopping (mode 'min'):
 * a loss improves when loss < best - minDelta; after `patience` updates in a row without
 * improvement, `stop` is true. NaN (and Infinity) never improve. patience 0 disables stopping:
 * `improved`, `best` and `badEpochs` are still tracked, but `stop` stays false.
 */
export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping; 0 never stops. */
  patience: number;
  /** Smallest decrease that counts as an improvement (default 0). */
  minDelta?: number;
}

export interface EarlyStoppingUpdate {
  stop: boolean;
  improved: boolean;
  /** Best loss so far; Infinity until a finite loss has been seen. */
  best: number;
  /** Updates in a row without improvement. */
  badEpochs: number;
}

export class EarlyStopping {
  readonly patience: number;
  readonly minDelta: number;
  private best = Number.POSITIVE_INFINITY;
  private badEpochs = 0;

  constructor({ patience, minDelta = 0 }: EarlyStoppingOptions) {
    if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`patience must be a non-negative integer, got ${patience}`);
    if (!Number.isFinite(minDelta) || minDelta < 0) throw new RangeError(`minDelta must be a finite non-negative number, got ${minDelta}`);
    this.patience = patience;
    this.minDelta = minDelta;
  }

  update(validationLoss: number): EarlyStoppingUpdate {
    // NaN compares false, so it falls through to "no improvement" with the infinities.
    const improved = Number.isFinite(validationLoss) && validationLoss < this.best - this.minDelta;
    if (improved) {
      this.best = validationLoss;
      this.badEpochs = 0;
    } else {
      this.badEpochs += 1;
    }
    const stop = this.patience > 0 && this.badEpochs >= this.patience;
    return { stop, improved, best: this.best, badEpochs: this.badEpochs };
  }

  reset(): void {
    this.best = Number.POSITIVE_INFINITY;
    this.badEpochs = 0;
  }
}
