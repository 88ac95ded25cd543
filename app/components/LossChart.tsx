import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { lossChartOptions } from './chartOptions.ts';

export interface LossChartProps {
  /** Aligned columns: x (global step) and one value-or-null per x for each series. */
  x: readonly number[];
  trainLoss: readonly (number | null)[];
  trainLossSmoothed: readonly (number | null)[];
  validationLoss: readonly (number | null)[];
  /** Drawn (with its own axis) only when given: tasks without an accuracy leave it out. */
  validationAccuracy?: readonly (number | null)[];
  height?: number;
}

function toAligned({ x, trainLoss, trainLossSmoothed, validationLoss, validationAccuracy }: Omit<LossChartProps, 'height'>): uPlot.AlignedData {
  // uPlot's types want mutable arrays; it never writes to them.
  const columns = [x, trainLoss, trainLossSmoothed, validationLoss, ...(validationAccuracy ? [validationAccuracy] : [])];
  return columns as uPlot.AlignedData;
}

/** A uPlot line chart of training loss per step with validation loss (and accuracy, when the task has it) per evaluation. */
export function LossChart({ x, trainLoss, trainLossSmoothed, validationLoss, validationAccuracy, height = 280 }: LossChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const accuracy = validationAccuracy !== undefined;
  const latest = useRef<uPlot.AlignedData>(accuracy ? [[], [], [], [], []] : [[], [], [], []]);

  // New data (at most once per frame, the bridge coalesces events): redraw without rebuilding the chart.
  useEffect(() => {
    const data = toAligned({ x, trainLoss, trainLossSmoothed, validationLoss, validationAccuracy });
    latest.current = data;
    chart.current?.setData(data);
  }, [x, trainLoss, trainLossSmoothed, validationLoss, validationAccuracy]);

  // One chart per mount and series set; it follows the container's width.
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const plot = new uPlot(lossChartOptions(el.clientWidth || 600, height, { accuracy }), latest.current, el);
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
  }, [height, accuracy]);

  return <div ref={container} className="loss-chart" />;
}
