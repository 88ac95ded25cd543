import type { TrainConfig } from '../../../src/index.ts';
import { NumberField } from '../../components/NumberField.tsx';
import { selectIsTraining } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';

/** The plain number settings (the schedule, clipping and early stopping are not edited here). */
type Field = keyof Pick<TrainConfig, 'learningRate' | 'batchSize' | 'epochs' | 'weightDecay' | 'seed'>;

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

interface TrainConfigFormProps {
  onValidityChange: (field: Field, valid: boolean) => void;
}

/** The run's hyper-parameters; locked while a run uses them. */
export function TrainConfigForm({ onValidityChange }: TrainConfigFormProps) {
  const config = useStudio((s) => s.training.config);
  const training = useStudio(selectIsTraining);
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
          onChange={(value) => studioStore.getState().setTrainConfig({ [f.key]: value })}
          onValidityChange={(valid) => onValidityChange(f.key, valid)}
        />
      ))}
    </fieldset>
  );
}
