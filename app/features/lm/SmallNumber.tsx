import { useState } from 'react';

interface SmallNumberProps {
  label: string;
  ariaLabel: string;
  value: number;
  min: number;
  max: number;
  integer: boolean;
  step?: number;
  disabled?: boolean;
  testId: string;
  onCommit: (value: number) => void;
}

/** A compact number input for a table cell: commits valid entries as you type, flags the rest, restores on blur. */
export function SmallNumber({ label, ariaLabel, value, min, max, integer, step, disabled, testId, onCommit }: SmallNumberProps) {
  const [draft, setDraft] = useState(String(value));
  const [shown, setShown] = useState(value);
  if (value !== shown) {
    setShown(value);
    if (Number(draft) !== value) setDraft(String(value));
  }
  const ok = (text: string): number | null => {
    const v = text.trim() === '' ? Number.NaN : Number(text);
    return Number.isFinite(v) && (!integer || Number.isInteger(v)) && v >= min && v <= max ? v : null;
  };
  const valid = ok(draft) !== null;
  return (
    <label className="plan-field">
      <span className="plan-field__label" aria-hidden="true">
        {label}
      </span>
      <input
        type="number"
        className="plan-number"
        min={min}
        max={max}
        step={integer ? 1 : (step ?? 'any')}
        aria-label={ariaLabel}
        aria-invalid={!valid}
        title={`${integer ? 'A whole number' : 'A number'} from ${min} to ${max}`}
        value={draft}
        disabled={disabled}
        data-testid={testId}
        onChange={(e) => {
          setDraft(e.target.value);
          const v = ok(e.target.value);
          if (v !== null && v !== value) onCommit(v);
        }}
        onBlur={() => {
          if (!valid) setDraft(String(value));
        }}
      />
    </label>
  );
}
