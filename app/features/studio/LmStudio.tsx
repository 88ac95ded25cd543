import { LmDatasetPanel } from '../dataset/LmDatasetPanel.tsx';
import { EvaluationPanel } from '../evaluation/EvaluationPanel.tsx';
import { ExportPanel } from '../export/ExportPanel.tsx';
import { LmModelPanel } from '../model/LmModelPanel.tsx';
import { LmPlanPanel } from '../plan/LmPlanPanel.tsx';
import { PreferencePanel } from '../preferences/PreferencePanel.tsx';
import { PreferenceTry } from '../preferences/PreferenceTry.tsx';
import { RunBar } from '../training/RunBar.tsx';
import { RunPanel } from '../training/RunPanel.tsx';
import { useSettingsValidity } from '../training/useSettingsValidity.ts';
import { LmTryPanel } from '../try/LmTryPanel.tsx';

/**
 * The language-model half, in the order of its steps: its own model, data and plan panels; the run
 * bar, run area, evaluation and export shared with the other half (another objective plugs into the
 * same run area).
 */
export function LmStudio() {
  const { configValid, onValidityChange } = useSettingsValidity();
  return (
    <div data-testid="lm-studio">
      <RunBar task="lm" configValid={configValid} />
      <div className="grid lm-grid">
        <LmModelPanel />
        <LmDatasetPanel />
        <PreferencePanel />
        <LmPlanPanel />
        <RunPanel task="lm" onValidityChange={onValidityChange} />
        <EvaluationPanel task="lm" />
        <LmTryPanel />
        <PreferenceTry />
        <ExportPanel task="lm" />
      </div>
    </div>
  );
}
