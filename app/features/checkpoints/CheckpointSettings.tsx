import { useEffect } from 'react';
import { DEFAULT_CHECKPOINT_SETTINGS, type CheckpointSettings as Settings } from '../../../src/index.ts';
import { NumberField } from '../../components/NumberField.tsx';

interface CheckpointSettingsProps {
  /** Absent: the defaults (set on first show). Both 0: checkpoints off. */
  value: Settings | undefined;
  onChange: (value: Settings) => void;
  onValidityChange?: (valid: boolean) => void;
  testIdPrefix: string;
}

/** How often a run saves a checkpoint it can be resumed from (every N steps and every M seconds). */
export function CheckpointSettings({ value, onChange, onValidityChange, testIdPrefix }: CheckpointSettingsProps) {
  useEffect(() => {
    if (value === undefined) onChange(DEFAULT_CHECKPOINT_SETTINGS);
  }, [value, onChange]);
  const settings = value ?? DEFAULT_CHECKPOINT_SETTINGS;
  const on = settings.everySteps > 0 || settings.everySeconds > 0;
  return (
    <div className="checkpoint-settings" data-testid={`${testIdPrefix}-checkpoint-settings`}>
      <label className="lm-check">
        <input
          type="checkbox"
          checked={on}
          data-testid={`${testIdPrefix}-checkpoints`}
          onChange={(e) => onChange(e.target.checked ? DEFAULT_CHECKPOINT_SETTINGS : { everySteps: 0, everySeconds: 0 })}
        />
        Save checkpoints (resume after a reload)
      </label>
      {on && (
        <>
          <NumberField
            label="Checkpoint every (steps)"
            value={settings.everySteps}
            min={0}
            max={1_000_000}
            integer
            step={1}
            hint="0: not by steps"
            testId={`${testIdPrefix}-checkpoint-steps`}
            onChange={(everySteps) => onChange({ ...settings, everySteps })}
            onValidityChange={onValidityChange}
          />
          <NumberField
            label="and every (seconds)"
            value={settings.everySeconds}
            min={0}
            max={86_400}
            integer
            step={1}
            hint="0: not by time"
            testId={`${testIdPrefix}-checkpoint-seconds`}
            onChange={(everySeconds) => onChange({ ...settings, everySeconds })}
            onValidityChange={onValidityChange}
          />
        </>
      )}
    </div>
  );
}
