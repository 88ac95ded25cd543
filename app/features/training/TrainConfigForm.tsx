import { useId } from 'react';
import type { LrSchedule, TrainConfig } from '../../../src/index.ts';
import { NumberField } from '../../components/NumberField.tsx';
import { selectIsTrained, selectIsTraining } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';

/** The plain number settings of TrainConfig. */
type Field = keyof Pick<TrainConfig, 'learningRate' | 'batchSize' | 'epochs' | 'weightDecay' | 'seed'>;
/** Every input that can hold unreadable text (Train waits until none does). */
export type ConfigInput = Field | 'warmupSteps' | 'clipNorm' | 'patience';

interface FieldSpec {
  key: Field;
  label: string;
  testId: string;
  min: number;
  max: number;
  integer?: boolean;
  step: number | 'any';
  hint: string;
}

const FIELDS: readonly FieldSpec[] = [
  { key: 'learningRate', label: 'Learning rate', testId: 'lr-input', min: 1e-6, max: 1, step: 'any', hint: 'AdamW step size' },
  { key: 'batchSize', label: 'Batch size', testId: 'batch-input', min: 1, max: 1024, integer: true, step: 1, hint: 'Images per step' },
  { key: 'epochs', label: 'Epochs', testId: 'epochs-input', min: 1, max: 10000, integer: true, step: 1, hint: 'Passes over the training images' },
  { key: 'weightDecay', label: 'Weight decay', testId: 'weight-decay-input', min: 0, max: 1, step: 'any', hint: 'Decoupled (AdamW)' },
  { key: 'seed', label: 'Seed', testId: 'train-seed-input', min: 0, max: 2 ** 31 - 1, integer: true, step: 1, hint: 'Same seed, same run' },
];

type ScheduleKind = LrSchedule['kind'];

const SCHEDULES: readonly { kind: ScheduleKind; label: string }[] = [
  { kind: 'constant', label: 'Constant' },
  { kind: 'cosine', label: 'Cosine decay' },
  { kind: 'linear', label: 'Linear decay' },
];

function warmupOf(schedule: LrSchedule | undefined): number {
  return schedule && schedule.kind !== 'constant' ? schedule.warmupSteps : 0;
}

interface TrainConfigFormProps {
  onValidityChange: (field: ConfigInput, valid: boolean) => void;
}

/** The run's hyper-parameters; locked while a run uses them. */
export function TrainConfigForm({ onValidityChange }: TrainConfigFormProps) {
  const config = useStudio((s) => s.training.config);
  const training = useStudio(selectIsTraining);
  const trained = useStudio(selectIsTrained);
  const scheduleId = useId();
  const continueHintId = useId();
  const set = (patch: Partial<TrainConfig>): void => studioStore.getState().setTrainConfig(patch);
  const schedule = config.schedule?.kind ?? 'constant';
  const warmup = warmupOf(config.schedule);

  return (
    <fieldset className="config" disabled={training}>
      <legend className="visually-hidden">Training settings</legend>
      {FIELDS.map((f) => (
        <NumberField
          key={f.key}
          label={f.label}
          value={config[f.key]}
          min={f.min}
          max={f.max}
          integer={f.integer}
          step={f.step}
          hint={f.hint}
          testId={f.testId}
          onChange={(value) => set({ [f.key]: value })}
          onValidityChange={(valid) => onValidityChange(f.key, valid)}
        />
      ))}
      <div className="field">
        <label htmlFor={scheduleId}>Learning-rate schedule</label>
        <div className="field__control">
          <select
            id={scheduleId}
            value={schedule}
            data-testid="schedule-select"
            onChange={(e) => {
              const kind = e.target.value as ScheduleKind;
              set({ schedule: kind === 'constant' ? { kind } : { kind, warmupSteps: warmup } });
            }}
          >
            {SCHEDULES.map((s) => (
              <option key={s.kind} value={s.kind}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <small className="field__hint">{schedule === 'constant' ? 'Same rate every step' : 'Decays to 0 by the last step'}</small>
      </div>
      {schedule !== 'constant' && (
        <NumberField
          label="Warm-up steps"
          value={warmup}
          min={0}
          max={1_000_000}
          integer
          step={1}
          hint="Rate rises from 0 over these steps"
          testId="warmup-input"
          onChange={(value) => set({ schedule: { kind: schedule, warmupSteps: value } })}
          onValidityChange={(valid) => onValidityChange('warmupSteps', valid)}
        />
      )}
      <NumberField
        label="Gradient clipping"
        value={config.clipNorm ?? 0}
        min={0}
        max={1e6}
        step="any"
        hint="Max global L2 norm; 0 = off"
        testId="clip-input"
        onChange={(value) => set({ clipNorm: value })}
        onValidityChange={(valid) => onValidityChange('clipNorm', valid)}
      />
      <NumberField
        label="Early stopping patience"
        value={config.earlyStopping?.patience ?? 0}
        min={0}
        max={10000}
        integer
        step={1}
        suffix="epochs"
        hint="Stop when val. loss stalls; 0 = off"
        testId="patience-input"
        onChange={(value) => set({ earlyStopping: { patience: value } })}
        onValidityChange={(valid) => onValidityChange('patience', valid)}
      />
      <div className="field field--check">
        <label className="check">
          <input
            type="checkbox"
            checked={trained && (config.continueFromLastRun ?? false)}
            disabled={!trained}
            aria-describedby={continueHintId}
            data-testid="continue-checkbox"
            onChange={(e) => set({ continueFromLastRun: e.target.checked })}
          />
          Continue from the last run
        </label>
        <small id={continueHintId} className="field__hint">
          {trained ? 'Start from its head and adapters (same plan and classes)' : 'Available after a run'}
        </small>
      </div>
    </fieldset>
  );
}
