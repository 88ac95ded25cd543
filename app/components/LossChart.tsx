import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LossChartProps {
  /** Aligned columns: x (global step) and one value-or-null per x for each series. */
  x: readonly number[];
  trainLoss: readonly (number | null)[];
  trainLossSmoothed: readonly (number | null)[];
  validationLoss: readonly (number | null)[];
  validationAccuracy: readonly (number | null)[];
  height?: number;
}

const COLORS = { train: '#2563eb', trainRaw: 'rgba(37, 99, 235, 0.28)', validation: '#ea580c', accuracy: '#059669', grid: '#e5e7eb', axis: '#475569' };

function toAligned({ x, trainLoss, trainLossSmoothed, validationLoss, validationAccuracy }: Omit<LossChartProps, 'height'>): uPlot.AlignedData {
  // uPlot's types want mutable arrays; it never writes to them.
  return [
    x as number[],
    trainLoss as (number | null)[],
    trainLossSmoothed as (number | null)[],
    validationLoss as (number | null)[],
    validationAccuracy as (number | null)[],
  ];
}

function options(width: number, height: number): uPlot.Options {
  const axis = { stroke: COLORS.axis, grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.grid, width: 1 } };
  return {
    width,
    height,
    // Live data: keep redraws cheap and let the y range follow the falling loss.
    scales: { x: { time: false }, loss: { auto: true }, accuracy: { auto: false, range: [0, 1] } },
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    axes: [
      { ...axis, label: 'step' },
      { ...axis, scale: 'loss', label: 'loss' },
      {
        ...axis,
        scale: 'accuracy',
        side: 1,
        label: 'val. accuracy',
        grid: { show: false },
        values: (_u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`),
      },
    ],
    series: [
      { label: 'step' },
      { label: 'train loss', scale: 'loss', stroke: COLORS.trainRaw, width: 1, points: { show: false } },
      { label: 'smoothed', scale: 'loss', stroke: COLORS.train, width: 2, spanGaps: true, points: { show: false } },
      {
        label: 'val. loss',
        scale: 'loss',
        stroke: COLORS.validation,
        width: 2,
        spanGaps: true,
        points: { show: true, size: 7, fill: COLORS.validation },
      },
      {
        label: 'val. accuracy',
        scale: 'accuracy',
        stroke: COLORS.accuracy,
        width: 2,
        dash: [6, 4],
        spanGaps: true,
        points: { show: true, size: 7, fill: COLORS.accuracy },
        value: (_u, v) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`),
      },
    ],
  };
}

/** A uPlot line chart of training loss per step with validation loss and accuracy per epoch. */
export function LossChart({ x, trainLoss, trainLossSmoothed, validationLoss, validationAccuracy, height = 280 }: LossChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef<uPlot.AlignedData>([[], [], [], [], []]);

  // New data (at most once per frame, the bridge coalesces events): redraw without rebuilding the chart.
  useEffect(() => {
    const data = toAligned({ x, trainLoss, trainLossSmoothed, validationLoss, validationAccuracy });
    latest.current = data;
    chart.current?.setData(data);
  }, [x, trainLoss, trainLossSmoothed, validationLoss, validationAccuracy]);

  // One chart per mount; it follows the container's width.
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const plot = new uPlot(options(el.clientWidth || 600, height), latest.current, el);
    chart.current = plot;
    const observer = new ResizeObserver(() => {
      const width = el.clientWidth;
      if (width > 0 && width !== plot.width) plot.setSize({ width, height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [height]);

  return <div ref={container} className="loss-chart" />;
}
