import { useCallback, useState } from 'react';
import type { SettingInput } from './settingsFields.ts';

/** Which settings hold unreadable text: the form reports them, and Train (in the run bar) waits until none does. */
export function useSettingsValidity(): { configValid: boolean; onValidityChange: (field: SettingInput, valid: boolean) => void } {
  const [invalid, setInvalid] = useState<Partial<Record<SettingInput, boolean>>>({});
  const onValidityChange = useCallback((field: SettingInput, valid: boolean) => setInvalid((prev) => (prev[field] === !valid ? prev : { ...prev, [field]: !valid })), []);
  return { configValid: !Object.values(invalid).some(Boolean), onValidityChange };
}
