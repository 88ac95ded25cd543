import { DatasetPanel } from '../dataset/DatasetPanel.tsx';
import { EvaluationPanel } from '../evaluation/EvaluationPanel.tsx';
import { ExportPanel } from '../export/ExportPanel.tsx';
import { ModelPanel } from '../model/ModelPanel.tsx';
import { PlanPanel } from '../plan/PlanPanel.tsx';
import { RunBar } from '../training/RunBar.tsx';
import { RunPanel } from '../training/RunPanel.tsx';
import { useSettingsValidity } from '../training/useSettingsValidity.ts';
import { TryPanel } from '../try/TryPanel.tsx';

/** The image-and-table half of the studio, in the order of its steps: model, data, plan, the run, try it, export. */
export function ClassifierStudio() {
  const { configValid, onValidityChange } = useSettingsValidity();
  return (
    <>
      <RunBar task="classifier" configValid={configValid} />
      <div className="grid">
        <ModelPanel />
        <DatasetPanel />
        <PlanPanel />
        <RunPanel task="classifier" onValidityChange={onValidityChange} />
        <EvaluationPanel task="classifier" />
        <TryPanel />
        <ExportPanel task="classifier" />
      </div>
    </>
  );
}
