import type uPlot from 'uplot';

/** Which series a chart draws: every task has loss; only classification has an accuracy axis. */
export interface ChartSeriesSet {
  accuracy: boolean;
}

const COLORS = { train: '#2563eb', trainRaw: 'rgba(37, 99, 235, 0.28)', validation: '#ea580c', accuracy: '#059669', grid: '#e5e7eb', axis: '#475569' };

/** Tick spacings for the step axis: whole numbers only (a step is never fractional). */
export const STEP_INCREMENTS: readonly number[] = Array.from({ length: 10 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/** uPlot options for the loss chart: train loss (raw and smoothed) and validation loss, plus validation accuracy when the task has it. */
export function lossChartOptions(width: number, height: number, { accuracy }: ChartSeriesSet): uPlot.Options {
  const axis = { stroke: COLORS.axis, grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.grid, width: 1 } };
  const axes: uPlot.Axis[] = [
    { ...axis, label: 'step', incrs: [...STEP_INCREMENTS], values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) },
    { ...axis, scale: 'loss', label: 'loss' },
  ];
  const series: uPlot.Series[] = [
    { label: 'step' },
    { label: 'train loss', scale: 'loss', stroke: COLORS.trainRaw, width: 1, points: { show: false } },
    { label: 'smoothed', scale: 'loss', stroke: COLORS.train, width: 2, spanGaps: true, points: { show: false } },
    { label: 'val. loss', scale: 'loss', stroke: COLORS.validation, width: 2, spanGaps: true, points: { show: true, size: 7, fill: COLORS.validation } },
  ];
  if (accuracy) {
    axes.push({
      ...axis,
      scale: 'accuracy',
      side: 1,
      label: 'val. accuracy',
      grid: { show: false },
      values: (_u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`),
    });
    series.push({
      label: 'val. accuracy',
      scale: 'accuracy',
      stroke: COLORS.accuracy,
      width: 2,
      dash: [6, 4],
      spanGaps: true,
      points: { show: true, size: 7, fill: COLORS.accuracy },
      value: (_u, v) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`),
    });
  }
  return {
    width,
    height,
    // Live data: keep redraws cheap and let the y range follow the falling loss.
    scales: { x: { time: false }, loss: { auto: true }, ...(accuracy ? { accuracy: { auto: false, range: [0, 1] } } : {}) },
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    axes,
    series,
  };
}
