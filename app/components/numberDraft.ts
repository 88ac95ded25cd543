import { useState } from 'react';

/** What a number input accepts. */
export interface NumberRules {
  min?: number;
  max?: number;
  integer?: boolean;
  /** Reads the text into the field's units (null when unreadable); default: a plain number. */
  parse?: (text: string) => number | null;
}

export function parsePlainNumber(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** The text's value when it is readable and within the rules, else null. */
export function readNumber(text: string, { min, max, integer = false, parse = parsePlainNumber }: NumberRules): number | null {
  const n = parse(text);
  return n !== null && (!integer || Number.isInteger(n)) && (min === undefined || n >= min) && (max === undefined || n <= max) ? n : null;
}

/** 0.000001 reads better as 1e-6 in a hint. */
function formatBound(n: number): string {
  return n !== 0 && Math.abs(n) < 0.001 ? n.toExponential() : String(n);
}

/** "a whole number from 1 to 10", for the message under a field holding unreadable text. */
export function describeRules({ min, max, integer = false }: NumberRules): string {
  const range =
    min !== undefined && max !== undefined
      ? `from ${formatBound(min)} to ${formatBound(max)}`
      : min !== undefined
        ? `of at least ${formatBound(min)}`
        : max !== undefined
          ? `up to ${formatBound(max)}`
          : '';
  return [integer ? 'a whole number' : 'a number', range].filter(Boolean).join(' ');
}

export interface NumberDraft {
  draft: string;
  invalid: boolean;
  change: (text: string) => void;
  /** Leaving the input with unreadable text puts the last good value back. */
  blur: () => void;
}

/**
 * The text of a number input, for every number input of the studio (labelled fields and compact
 * table cells): valid entries are committed as you type, invalid text is kept and flagged, and a
 * value changed from outside is shown unless the text already means it ("0.20" is not rewritten to "0.2").
 */
export function useNumberDraft(value: number, rules: NumberRules, onChange: (value: number) => void, onValidityChange?: (valid: boolean) => void): NumberDraft {
  const parse = rules.parse ?? parsePlainNumber;
  const [draft, setDraft] = useState(() => String(value));
  const [shownValue, setShownValue] = useState(value);
  const [invalid, setInvalid] = useState(false);
  if (value !== shownValue) {
    setShownValue(value);
    if (parse(draft) !== value) {
      setDraft(String(value));
      setInvalid(false);
    }
  }
  return {
    draft,
    invalid,
    change(text) {
      setDraft(text);
      const n = readNumber(text, rules);
      const ok = n !== null;
      if (ok !== !invalid) onValidityChange?.(ok);
      setInvalid(!ok);
      if (ok && n !== value) onChange(n);
    },
    blur() {
      if (!invalid) return;
      setDraft(String(value));
      setInvalid(false);
      onValidityChange?.(true);
    },
  };
}
