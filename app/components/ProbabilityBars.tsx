import { formatPercent } from '../format.ts';

interface ProbabilityBarsProps {
  /** In display order (the caller sorts). */
  items: readonly { name: string; probability: number }[];
  /** data-testid of each row. */
  rowTestId?: string;
}

/** One labelled horizontal bar per class; the first (most likely) is highlighted. */
export function ProbabilityBars({ items, rowTestId }: ProbabilityBarsProps) {
  return (
    <ol className="probabilities" aria-label="Class probabilities">
      {items.map(({ name, probability }, i) => (
        <li
          key={name}
          className={i === 0 ? 'probabilities__row probabilities__row--top' : 'probabilities__row'}
          data-testid={rowTestId}
          data-class={name}
          data-probability={probability}
        >
          <span className="probabilities__name">{name}</span>
          <span className="probabilities__bar" aria-hidden="true">
            <span style={{ width: `${Math.max(0, Math.min(1, probability)) * 100}%` }} />
          </span>
          <span className="probabilities__value">{formatPercent(probability)}</span>
        </li>
      ))}
    </ol>
  );
}
