import { useId, useState } from 'react';

interface NumberFieldProps {
  label: string;
  /** The committed value, in the units the field shows. */
  value: number;
  /** Called with every valid entry (as the user types); invalid text is kept and flagged, not committed. */
  onChange: (value: number) => void;
  /** Told when the text becomes valid or invalid, so a form can disable its submit button. */
  onValidityChange?: (valid: boolean) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  integer?: boolean;
  /** Reads the text into the field's units (null when unreadable); default: a plain number. */
  parse?: (text: string) => number | null;
  suffix?: string;
  hint?: string;
  disabled?: boolean;
  testId?: string;
}

/** 0.000001 reads better as 1e-6 in a hint. */
function formatBound(n: number): string {
  return n !== 0 && Math.abs(n) < 0.001 ? n.toExponential() : String(n);
}

function defaultParse(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** A labelled number input that validates as you type and says what it expects when the text is wrong. */
export function NumberField({
  label,
  value,
  onChange,
  onValidityChange,
  min,
  max,
  step = 'any',
  integer = false,
  parse = defaultParse,
  suffix,
  hint,
  disabled,
  testId,
}: NumberFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState(() => String(value));
  const [shownValue, setShownValue] = useState(value);
  const [invalid, setInvalid] = useState(false);

  // The value changed from outside (a reset, a reverted import): show it, unless the text already
  // means that value (typing "0.20" must not be rewritten to "0.2" mid-keystroke).
  if (value !== shownValue) {
    setShownValue(value);
    if (parse(draft) !== value) {
      setDraft(String(value));
      setInvalid(false);
    }
  }

  const check = (n: number | null): n is number =>
    n !== null && (!integer || Number.isInteger(n)) && (min === undefined || n >= min) && (max === undefined || n <= max);

  const expectation = [
    integer ? 'a whole number' : 'a number',
    min !== undefined && max !== undefined
      ? `from ${formatBound(min)} to ${formatBound(max)}`
      : min !== undefined
        ? `of at least ${formatBound(min)}`
        : max !== undefined
          ? `up to ${formatBound(max)}`
          : '',
  ]
    .filter(Boolean)
    .join(' ');

  const handleChange = (text: string): void => {
    setDraft(text);
    const n = parse(text);
    const ok = check(n);
    if (ok !== !invalid) onValidityChange?.(ok);
    setInvalid(!ok);
    if (ok && n !== value) onChange(n);
  };

  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint && !invalid ? hintId : null, invalid ? errorId : null].filter(Boolean).join(' ') || undefined;
  // Native min/max only when the field reads plain numbers: a custom parser may accept other spellings.
  const native = parse === defaultParse;

  return (
    <div className={invalid ? 'field field--invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <div className="field__control">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          value={draft}
          min={native ? min : undefined}
          max={native ? max : undefined}
          step={step}
          disabled={disabled}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          data-testid={testId}
          onChange={(e) => handleChange(e.target.value)}
          onBlur={() => {
            // Leaving a field with unreadable text puts the last good value back.
            if (invalid) {
              setDraft(String(value));
              setInvalid(false);
              onValidityChange?.(true);
            }
          }}
        />
        {suffix && <span className="field__suffix">{suffix}</span>}
      </div>
      {hint && !invalid && (
        <small id={hintId} className="field__hint">
          {hint}
        </small>
      )}
      {invalid && (
        <small id={errorId} className="field__error">
          Enter {expectation}.
        </small>
      )}
    </div>
  );
}
