import { useNumberDraft } from './numberDraft.ts';

interface NumberCellProps {
  /** The short visible label ("r", "α"). */
  label: string;
  /** The accessible name, when the short visible label is not enough. */
  ariaLabel?: string;
  value: number;
  min: number;
  max: number;
  integer: boolean;
  /** The arrow-key step for non-integer inputs (default: any). */
  step?: number;
  disabled?: boolean;
  testId: string;
  onCommit: (value: number) => void;
}

/** NumberField's compact twin for a table cell (plan tables): same validation, a short label beside it. */
export function NumberCell({ label, ariaLabel, value, min, max, integer, step, disabled, testId, onCommit }: NumberCellProps) {
  const { draft, invalid, change, blur } = useNumberDraft(value, { min, max, integer }, onCommit);
  return (
    <label className="plan-field">
      <span className="plan-field__label" aria-hidden={ariaLabel ? true : undefined}>
        {label}
      </span>
      <input
        type="number"
        className="plan-number"
        min={min}
        max={max}
        step={integer ? 1 : (step ?? 'any')}
        aria-label={ariaLabel}
        aria-invalid={invalid}
        title={`${integer ? 'A whole number' : 'A number'} from ${min} to ${max}`}
        value={draft}
        disabled={disabled}
        data-testid={testId}
        onChange={(e) => change(e.target.value)}
        onBlur={blur}
      />
    </label>
  );
}
