import { useCallback, useId, useState } from 'react';
import type { CheckpointSettings as Checkpoints, LrSchedule, TaskKind } from '../../../src/index.ts';
import { NumberField } from '../../components/NumberField.tsx';
import type { ConfigOf } from '../../store/runSlice.ts';
import { selectAnyRunning, selectCanContinue } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { CheckpointSettings } from '../checkpoints/CheckpointSettings.tsx';
import { TermsHelp } from '../help/TermsHelp.tsx';
import { RUN_TEST_IDS } from './runTestIds.ts';
import { NUMBER_FIELDS, numberSetting, parsePrompts, TASK_WORDS, type SettingInput } from './settingsFields.ts';

type ScheduleKind = LrSchedule['kind'];

const SCHEDULES: readonly { kind: ScheduleKind; label: string }[] = [
  { kind: 'constant', label: 'Constant' },
  { kind: 'cosine', label: 'Cosine decay' },
  { kind: 'linear', label: 'Linear decay' },
];

function warmupOf(schedule: LrSchedule | undefined): number {
  return schedule && schedule.kind !== 'constant' ? schedule.warmupSteps : 0;
}

interface TrainSettingsFormProps {
  task: TaskKind;
  onValidityChange: (field: SettingInput, valid: boolean) => void;
}

/** A run's settings, named once for every task (each task adds its own fields); locked while a run uses them. */
export function TrainSettingsForm({ task, onValidityChange }: TrainSettingsFormProps) {
  const config = useStudio((s) => s.runs[task].config);
  const running = useStudio(selectAnyRunning);
  const canContinue = useStudio((s) => selectCanContinue(s, task));
  const ids = RUN_TEST_IDS[task].settings;
  const words = TASK_WORDS[task];
  const scheduleId = useId();
  const continueHintId = useId();
  const set = useCallback((patch: Partial<ConfigOf<typeof task>>): void => studioStore.getState().setTrainConfig(task, patch), [task]);
  const setCheckpoint = useCallback((checkpoint: Checkpoints) => set({ checkpoint }), [set]);
  const schedule = config.schedule?.kind ?? 'constant';
  const warmup = warmupOf(config.schedule);

  return (
    <fieldset className="config" disabled={running}>
      <legend className="visually-hidden">Training settings</legend>
      <TermsHelp
        summary="What do these settings mean?"
        terms={task === 'lm' ? ['learningRate', 'batchSize', 'gradAccumulation', 'steps', 'weightDecay', 'schedule', 'clipNorm', 'patience', 'validation'] : ['learningRate', 'batchSize', 'epochs', 'weightDecay', 'schedule', 'clipNorm', 'patience', 'validation']}
        testId={`${RUN_TEST_IDS[task].checkpointPrefix}-settings-help`}
      />
      {NUMBER_FIELDS[task].map((f) => (
        <NumberField
          key={f.key}
          label={f.label}
          value={numberSetting(config, f.key)}
          min={f.min}
          max={f.max}
          integer={f.integer}
          step={f.integer ? 1 : 'any'}
          hint={f.hint}
          testId={ids[f.key]}
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
            data-testid={ids.schedule}
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
          testId={ids.warmupSteps}
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
        testId={ids.clipNorm}
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
        suffix={words.patienceUnit}
        hint="Stop when val. loss stalls; 0 = off"
        testId={ids.patience}
        onChange={(value) => set({ earlyStopping: { patience: value } })}
        onValidityChange={(valid) => onValidityChange('patience', valid)}
      />
      {config.task === 'lm' && <SamplePrompts prompts={config.samplePrompts} testId={ids.samplePrompts} onChange={(samplePrompts) => set({ samplePrompts })} />}
      <div className="field field--check">
        <label className="check">
          <input
            type="checkbox"
            checked={canContinue && (config.continueFromLastRun ?? false)}
            disabled={!canContinue}
            aria-describedby={continueHintId}
            data-testid={ids.continue}
            onChange={(e) => set({ continueFromLastRun: e.target.checked })}
          />
          {words.continueLabel}
        </label>
        <small id={continueHintId} className="field__hint">
          {canContinue ? words.continueHint : 'Available after a run'}
        </small>
      </div>
      <CheckpointSettings
        value={config.checkpoint}
        onChange={setCheckpoint}
        onValidityChange={(valid) => onValidityChange('checkpoint', valid)}
        testIdPrefix={RUN_TEST_IDS[task].checkpointPrefix}
      />
    </fieldset>
  );
}

/** Prompts generated from at each evaluation (language models): one per line. */
function SamplePrompts({ prompts, testId, onChange }: { prompts: string[]; testId: string; onChange: (prompts: string[]) => void }) {
  const id = useId();
  const [text, setText] = useState(() => prompts.join('\n'));
  return (
    <div className="field lm-field--wide">
      <label htmlFor={id}>Sample prompts (one per line)</label>
      <textarea
        id={id}
        rows={3}
        value={text}
        data-testid={testId}
        onChange={(e) => {
          setText(e.target.value);
          onChange(parsePrompts(e.target.value));
        }}
      />
    </div>
  );
}
