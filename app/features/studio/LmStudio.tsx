import { LmDatasetPanel } from '../dataset/LmDatasetPanel.tsx';
import { EvaluationPanel } from '../evaluation/EvaluationPanel.tsx';
import { ExportPanel } from '../export/ExportPanel.tsx';
import { LmModelPanel } from '../model/LmModelPanel.tsx';
import { LmPlanPanel } from '../plan/LmPlanPanel.tsx';
import { PreferencePanel } from '../preferences/PreferencePanel.tsx';
import { PreferenceTry } from '../preferences/PreferenceTry.tsx';
import { RunPanel } from '../training/RunPanel.tsx';
import { LmTryPanel } from '../try/LmTryPanel.tsx';

/** The language-model half of the studio: its own model, data and plan panels; the run area, evaluation and export shared with the other half. */
export function LmStudio() {
  return (
    <div className="grid lm-grid" data-testid="lm-studio">
      <LmModelPanel />
      <LmDatasetPanel />
      <PreferencePanel />
      <LmPlanPanel />
      <RunPanel task="lm" />
      <EvaluationPanel task="lm" />
      <LmTryPanel />
      <PreferenceTry />
      <ExportPanel task="lm" />
    </div>
  );
}
