import { useState } from 'react';
import { Panel } from '../../components/Panel.tsx';
import { EpochTable } from './EpochTable.tsx';
import { RunControls } from './RunControls.tsx';
import { RunProgress } from './RunProgress.tsx';
import { TrainConfigForm, type ConfigInput } from './TrainConfigForm.tsx';
import { TrainingChart } from './TrainingChart.tsx';

/** Settings, Train/Stop, live progress, the loss chart and the epoch table. */
export function TrainingPanel() {
  // Which settings hold unreadable text: Train waits until they are fixed.
  const [invalid, setInvalid] = useState<Partial<Record<ConfigInput, boolean>>>({});
  const configValid = !Object.values(invalid).some(Boolean);

  return (
    <Panel title="Training" className="panel--training">
      <div className="training-grid">
        <div className="training-grid__side">
          <TrainConfigForm onValidityChange={(field, valid) => setInvalid((prev) => ({ ...prev, [field]: !valid }))} />
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
