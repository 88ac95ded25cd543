import { LmDatasetPanel } from './LmDatasetPanel.tsx';
import { LmExportPanel } from './LmExportPanel.tsx';
import { LmModelPanel } from './LmModelPanel.tsx';
import { LmPlanPanel } from './LmPlanPanel.tsx';
import { LmTrainingPanel } from './LmTrainingPanel.tsx';
import { LmTryPanel } from './LmTryPanel.tsx';

/** The language-model half of the studio. */
export function LmStudio() {
  return (
    <div className="grid lm-grid" data-testid="lm-studio">
      <LmModelPanel />
      <LmDatasetPanel />
      <LmPlanPanel />
      <LmTrainingPanel />
      <LmTryPanel />
      <LmExportPanel />
    </div>
  );
}
