import { DatasetPanel } from '../dataset/DatasetPanel.tsx';
import { EvaluationPanel } from '../evaluation/EvaluationPanel.tsx';
import { ExportPanel } from '../export/ExportPanel.tsx';
import { ModelPanel } from '../model/ModelPanel.tsx';
import { RunPanel } from '../training/RunPanel.tsx';
import { TryPanel } from '../try/TryPanel.tsx';

/** The image-and-table half of the studio: model and plan, dataset, then the run area shared with the other half. */
export function ClassifierStudio() {
  return (
    <div className="grid">
      <ModelPanel />
      <DatasetPanel />
      <RunPanel task="classifier" />
      <EvaluationPanel task="classifier" />
      <TryPanel />
      <ExportPanel task="classifier" />
    </div>
  );
}
