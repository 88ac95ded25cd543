import { describe, expect, it } from 'vitest';
import { emptyHistory, historyPoints, StepHistoryRecorder } from './stepHistory.ts';

describe('StepHistoryRecorder', () => {
  it('keeps every step as columns and gives them back as points', () => {
    const h = new StepHistoryRecorder();
    h.push({ step: 1, loss: 2, learningRate: 0.5, epoch: 1 });
    h.push({ step: 2, loss: 1.5, learningRate: 0.25, epoch: 1 });
    const captured = h.capture();
    expect(captured).toEqual({ firstStep: 1, loss: Float32Array.of(2, 1.5), learningRate: Float32Array.of(0.5, 0.25), epoch: Int32Array.of(1, 1) });
    expect(historyPoints(captured)).toEqual([
      { step: 1, loss: 2, learningRate: 0.5, epoch: 1 },
      { step: 2, loss: 1.5, learningRate: 0.25, epoch: 1 },
    ]);
  });

  it('goes on from a saved history, after an empty (format 1) one, and forgets rolled-back steps', () => {
    const resumed = new StepHistoryRecorder({ firstStep: 1, loss: Float32Array.of(3), learningRate: Float32Array.of(1), tokensPerSecond: Float32Array.of(10) });
    resumed.push({ step: 2, loss: 2, learningRate: 1, tokensPerSecond: 12 });
    resumed.push({ step: 3, loss: 1, learningRate: 1, tokensPerSecond: 14 });
    resumed.truncate(2);
    expect(historyPoints(resumed.capture()).map((p) => [p.step, p.loss, p.tokensPerSecond])).toEqual([
      [1, 3, 10],
      [2, 2, 12],
    ]);
    const afterV1 = new StepHistoryRecorder(emptyHistory(40));
    afterV1.push({ step: 41, loss: 1, learningRate: 0.1 });
    expect(historyPoints(afterV1.capture())).toEqual([{ step: 41, loss: 1, learningRate: Math.fround(0.1) }]);
  });

  it('restarts at a gap rather than number steps wrongly', () => {
    const h = new StepHistoryRecorder();
    h.push({ step: 1, loss: 1, learningRate: 1 });
    h.push({ step: 5, loss: 2, learningRate: 1 });
    expect(h.capture().firstStep).toBe(5);
    expect(h.capture().loss).toEqual(Float32Array.of(2));
  });
});
