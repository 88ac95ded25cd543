import type { TaskKind } from '../../../src/index.ts';
import { Panel } from '../../components/Panel.tsx';
import { selectCanResume } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { SavedRuns } from '../checkpoints/SavedRuns.tsx';
import { stepAnchor } from '../studio/flowSteps.ts';
import { EvalSamples } from './EvalSamples.tsx';
import { EvalTable } from './EvalTable.tsx';
import { RunChart } from './RunChart.tsx';
import { RunLog } from './RunLog.tsx';
import type { SettingInput } from './settingsFields.ts';
import { TrainSettingsForm } from './TrainSettingsForm.tsx';

interface RunPanelProps {
  task: TaskKind;
  onValidityChange: (field: SettingInput, valid: boolean) => void;
}

/**
 * The run area, one for every task: settings, saved runs, the engine's messages, the loss chart and
 * the evaluations. Train, Stop and the progress live in the run bar, always in view.
 */
export function RunPanel({ task, onValidityChange }: RunPanelProps) {
  const canResume = useStudio((s) => selectCanResume(s, task));
  return (
    <Panel
      title="Training"
      id={stepAnchor(task, 'train')}
      className={task === 'lm' ? 'panel--training panel--lm-training' : 'panel--training'}
      testId={task === 'lm' ? 'lm-training-panel' : 'training-panel'}
    >
      <div className="training-grid">
        <div className="training-grid__side">
          <TrainSettingsForm task={task} onValidityChange={onValidityChange} />
          <SavedRuns task={task} canResume={canResume} />
        </div>
        <div className="training-grid__main">
          <RunLog task={task} />
          <RunChart task={task} />
          <EvalTable task={task} />
          <EvalSamples task={task} />
        </div>
      </div>
    </Panel>
  );
}
