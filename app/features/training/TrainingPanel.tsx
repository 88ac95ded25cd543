import { useState } from 'react';
import { Panel } from '../../components/Panel.tsx';
import { selectCanTrain } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import type { CheckpointSettings as Settings } from '../../../src/index.ts';
import { CheckpointSettings } from '../checkpoints/CheckpointSettings.tsx';
import { SavedRuns } from '../checkpoints/SavedRuns.tsx';
import { EpochTable } from './EpochTable.tsx';
import { RunControls } from './RunControls.tsx';
import { RunProgress } from './RunProgress.tsx';
import { TrainConfigForm, type ConfigInput } from './TrainConfigForm.tsx';
import { TrainingChart } from './TrainingChart.tsx';

/** Settings, Train/Stop, live progress, the loss chart and the epoch table. */
export function TrainingPanel() {
  // Which settings hold unreadable text: Train waits until they are fixed.
  const [invalid, setInvalid] = useState<Partial<Record<ConfigInput | 'checkpoint', boolean>>>({});
  const configValid = !Object.values(invalid).some(Boolean);
  const checkpoint = useStudio((s) => s.training.config.checkpoint);
  const training = useStudio((s) => s.training.busy);
  const canTrain = useStudio(selectCanTrain);

  return (
    <Panel title="Training" className="panel--training">
      <div className="training-grid">
        <div className="training-grid__side">
          <TrainConfigForm onValidityChange={(field, valid) => setInvalid((prev) => ({ ...prev, [field]: !valid }))} />
          <fieldset className="config" disabled={training}>
            <legend className="visually-hidden">Checkpoints</legend>
            <CheckpointSettings value={checkpoint} onChange={setCheckpoint} onValidityChange={(valid) => setInvalid((prev) => ({ ...prev, checkpoint: !valid }))} testIdPrefix="train" />
          </fieldset>
          <SavedRuns half="images" canResume={canTrain} />
          <RunControls configValid={configValid} />
          <RunProgress />
        </div>
        <div className="training-grid__main">
          <TrainingChart />
          <EpochTable />
        </div>
      </div>
    </Panel>
  );
}

function setCheckpoint(checkpoint: Settings): void {
  studioStore.getState().setTrainConfig({ checkpoint });
}
