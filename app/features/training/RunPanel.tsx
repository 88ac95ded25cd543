import { useState } from 'react';
import type { TaskKind } from '../../../src/index.ts';
import { Panel } from '../../components/Panel.tsx';
import { selectCanResume } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { SavedRuns } from '../checkpoints/SavedRuns.tsx';
import { EvalSamples } from './EvalSamples.tsx';
import { EvalTable } from './EvalTable.tsx';
import { RunChart } from './RunChart.tsx';
import { RunControls } from './RunControls.tsx';
import { RunProgress } from './RunProgress.tsx';
import type { SettingInput } from './settingsFields.ts';
import { TrainSettingsForm } from './TrainSettingsForm.tsx';

/** The run area, one for every task: settings, saved runs, Train / Stop / Pause, progress, the loss chart and the evaluations. */
export function RunPanel({ task }: { task: TaskKind }) {
  // Which settings hold unreadable text: Train waits until they are fixed.
  const [invalid, setInvalid] = useState<Partial<Record<SettingInput, boolean>>>({});
  const configValid = !Object.values(invalid).some(Boolean);
  const canResume = useStudio((s) => selectCanResume(s, task));

  return (
    <Panel title="Training" className={task === 'lm' ? 'panel--training panel--lm-training' : 'panel--training'} testId={task === 'lm' ? 'lm-training-panel' : 'training-panel'}>
      <div className="training-grid">
        <div className="training-grid__side">
          <TrainSettingsForm task={task} onValidityChange={(field, valid) => setInvalid((prev) => ({ ...prev, [field]: !valid }))} />
          <SavedRuns task={task} canResume={canResume} />
          <RunControls task={task} configValid={configValid} />
          <RunProgress task={task} />
        </div>
        <div className="training-grid__main">
          <RunChart task={task} />
          <EvalTable task={task} />
          <EvalSamples task={task} />
        </div>
      </div>
    </Panel>
  );
}
