import { useId } from 'react';
import { describeRules, parsePlainNumber, useNumberDraft, type NumberRules } from './numberDraft.ts';

interface NumberFieldProps extends NumberRules {
  label: string;
  /** The committed value, in the units the field shows. */
  value: number;
  /** Called with every valid entry (as the user types); invalid text is kept and flagged, not committed. */
  onChange: (value: number) => void;
  /** Told when the text becomes valid or invalid, so a form can disable its submit button. */
  onValidityChange?: (valid: boolean) => void;
  step?: number | 'any';
  suffix?: string;
  hint?: string;
  disabled?: boolean;
  testId?: string;
}

/** A labelled number input that validates as you type and says what it expects when the text is wrong. */
export function NumberField({ label, value, onChange, onValidityChange, step = 'any', suffix, hint, disabled, testId, ...rules }: NumberFieldProps) {
  const id = useId();
  const { draft, invalid, change, blur } = useNumberDraft(value, rules, onChange, onValidityChange);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint && !invalid ? hintId : null, invalid ? errorId : null].filter(Boolean).join(' ') || undefined;
  // Native min/max only when the field reads plain numbers: a custom parser may accept other spellings.
  const native = (rules.parse ?? parsePlainNumber) === parsePlainNumber;

  return (
    <div className={invalid ? 'field field--invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <div className="field__control">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          value={draft}
          min={native ? rules.min : undefined}
          max={native ? rules.max : undefined}
          step={step}
          disabled={disabled}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          data-testid={testId}
          onChange={(e) => change(e.target.value)}
          onBlur={blur}
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
          Enter {describeRules(rules)}.
        </small>
      )}
    </div>
  );
}
