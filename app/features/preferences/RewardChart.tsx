import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { STEP_INCREMENTS } from '../../components/chartOptions.ts';
import { useStudio } from '../../store/studioStore.ts';
import { rewardChartData } from './rewardChartData.ts';

const HEIGHT = 220;
const COLORS = { chosen: '#059669', rejected: '#dc2626', margins: '#2563eb', accuracies: '#a16207', grid: '#e5e7eb', axis: '#475569' };

function options(width: number): uPlot.Options {
  const axis = { stroke: COLORS.axis, grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.grid, width: 1 } };
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: false }, reward: { auto: true }, accuracy: { auto: false, range: [0, 1] } },
    legend: { live: true },
    axes: [
      { ...axis, label: 'step', incrs: [...STEP_INCREMENTS] },
      { ...axis, scale: 'reward', label: 'reward' },
      { ...axis, scale: 'accuracy', side: 1, label: 'accuracy', grid: { show: false }, values: (_u, t) => t.map((v) => `${Math.round(v * 100)}%`) },
    ],
    series: [
      { label: 'step' },
      { label: 'rewards/chosen', scale: 'reward', stroke: COLORS.chosen, width: 2, points: { show: false } },
      { label: 'rewards/rejected', scale: 'reward', stroke: COLORS.rejected, width: 2, points: { show: false } },
      { label: 'rewards/margins', scale: 'reward', stroke: COLORS.margins, width: 2, points: { show: false } },
      { label: 'rewards/accuracies', scale: 'accuracy', stroke: COLORS.accuracies, width: 1, dash: [6, 4], points: { show: false } },
    ],
  };
}

/** The preference run's rewards per step (TRL's names), live: chosen, rejected, their margin, and how often chosen wins. */
export function RewardChart() {
  const steps = useStudio((s) => s.runs.lm.steps);
  const data = useMemo(() => rewardChartData(steps), [steps]);
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(data);

  useEffect(() => {
    latest.current = data;
    chart.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const plot = new uPlot(options(el.clientWidth || 600), latest.current as uPlot.AlignedData, el);
    chart.current = plot;
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientWidth !== plot.width) plot.setSize({ width: el.clientWidth, height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, []);

  const points = data[0]!.length;
  const first = (col: number) => (points > 0 ? data[col]![0] : undefined);
  const last = (col: number) => (points > 0 ? data[col]![points - 1] : undefined);
  return (
    <figure className="chart" data-testid="reward-chart" data-points={points} data-first-accuracy={first(4) ?? ''} data-last-accuracy={last(4) ?? ''} data-first-margin={first(3) ?? ''} data-last-margin={last(3) ?? ''}>
      <div ref={container} className="loss-chart" role="img" aria-label={points > 0 ? `Rewards chart: margin went from ${first(3)?.toFixed(3)} to ${last(3)?.toFixed(3)} over ${points} steps.` : 'Rewards chart: no preference run yet.'} />
      <figcaption className="chart__readout">
        <span>
          rewards/margins <strong data-testid="reward-margin">{last(3)?.toFixed(3) ?? '—'}</strong>
        </span>
        <span>
          rewards/accuracies <strong data-testid="reward-accuracy">{last(4) !== undefined && last(4) !== null ? `${Math.round(last(4)! * 100)}%` : '—'}</strong>
        </span>
      </figcaption>
    </figure>
  );
}
