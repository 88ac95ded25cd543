import type { ReactNode } from 'react';

interface ProgressBarProps {
  value: number;
  max: number;
  /** Visible text and accessible value, e.g. "step 12 of 96". */
  label: string;
  /** Shown at the right of the label (an ETA, a rate). */
  detail?: ReactNode;
  testId?: string;
}

/** A determinate progress bar with its label above it. */
export function ProgressBar({ value, max, label, detail, testId }: ProgressBarProps) {
  const safeMax = Math.max(0, max);
  const safeValue = Math.min(Math.max(0, value), safeMax);
  const percent = safeMax > 0 ? (safeValue / safeMax) * 100 : 0;
  return (
    <div className="progress">
      <div className="progress__text">
        <span>{label}</span>
        {detail}
      </div>
      <div
        className="progress__track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={safeMax}
        aria-valuenow={safeValue}
        aria-valuetext={label}
        data-testid={testId}
      >
        <div className="progress__fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
