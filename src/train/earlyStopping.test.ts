import { describe, expect, it } from 'vitest';
import { EarlyStopping } from './earlyStopping.ts';

describe('EarlyStopping', () => {
  it('stops after `patience` updates without improvement', () => {
    const es = new EarlyStopping({ patience: 2 });
    expect(es.update(1.0)).toEqual({ stop: false, improved: true, best: 1.0, badEpochs: 0 });
    expect(es.update(0.8)).toEqual({ stop: false, improved: true, best: 0.8, badEpochs: 0 });
    expect(es.update(0.9)).toEqual({ stop: false, improved: false, best: 0.8, badEpochs: 1 });
    // equal to best is not an improvement (strictly less is required)
    expect(es.update(0.8)).toEqual({ stop: true, improved: false, best: 0.8, badEpochs: 2 });
  });

  it('an improvement resets the count', () => {
    const es = new EarlyStopping({ patience: 2 });
    es.update(1);
    es.update(2); // bad 1
    expect(es.update(0.5)).toEqual({ stop: false, improved: true, best: 0.5, badEpochs: 0 });
    expect(es.update(0.6).badEpochs).toBe(1);
  });

  it('requires a decrease larger than minDelta', () => {
    const es = new EarlyStopping({ patience: 3, minDelta: 0.1 });
    es.update(1);
    // 0.95 > 1 - 0.1 = 0.9: not an improvement, best stays 1
    expect(es.update(0.95)).toEqual({ stop: false, improved: false, best: 1, badEpochs: 1 });
    // 0.85 < 0.9: improvement
    expect(es.update(0.85)).toEqual({ stop: false, improved: true, best: 0.85, badEpochs: 0 });
  });

  it('counts NaN and Infinity as no improvement, even first', () => {
    const es = new EarlyStopping({ patience: 2 });
    expect(es.update(Number.NaN)).toEqual({ stop: false, improved: false, best: Infinity, badEpochs: 1 });
    expect(es.update(Infinity)).toEqual({ stop: true, improved: false, best: Infinity, badEpochs: 2 });
    const es2 = new EarlyStopping({ patience: 5 });
    es2.update(0.5);
    expect(es2.update(Number.NaN)).toEqual({ stop: false, improved: false, best: 0.5, badEpochs: 1 });
    // -Infinity (a diverged loss) must not become an unbeatable best
    expect(es2.update(-Infinity)).toEqual({ stop: false, improved: false, best: 0.5, badEpochs: 2 });
  });

  it('patience 0 never stops', () => {
    const es = new EarlyStopping({ patience: 0 });
    es.update(1);
    for (let i = 0; i < 10; i++) expect(es.update(2).stop).toBe(false);
    expect(es.update(2).badEpochs).toBe(11);
  });

  it('reset forgets the best loss', () => {
    const es = new EarlyStopping({ patience: 1 });
    es.update(0.1);
    expect(es.update(0.2).stop).toBe(true);
    es.reset();
    expect(es.update(0.2)).toEqual({ stop: false, improved: true, best: 0.2, badEpochs: 0 });
  });

  it('rejects invalid options', () => {
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(RangeError);
    expect(() => new EarlyStopping({ patience: 1.5 })).toThrow(RangeError);
    expect(() => new EarlyStopping({ patience: 1, minDelta: -0.1 })).toThrow(RangeError);
  });
});
