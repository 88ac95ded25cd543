import { BackendBadge } from './features/backend/BackendBadge.tsx';
import { BackendSelect } from './features/backend/BackendSelect.tsx';
import { DatasetPanel } from './features/dataset/DatasetPanel.tsx';
import { EvaluationPanel } from './features/evaluation/EvaluationPanel.tsx';
import { ExportPanel } from './features/export/ExportPanel.tsx';
import { ModelPanel } from './features/model/ModelPanel.tsx';
import { Notices } from './features/notices/Notices.tsx';
import { StartupStatus } from './features/session/StartupStatus.tsx';
import { TrainingPanel } from './features/training/TrainingPanel.tsx';
import { TryPanel } from './features/try/TryPanel.tsx';
import { selectReadyAttr } from './store/selectors.ts';
import { useStudio } from './store/studioStore.ts';

export function App() {
  const ready = useStudio(selectReadyAttr);
  return (
    <>
      <header className="topbar">
        <div className="topbar__brand">
          <span className="logo" aria-hidden="true">
            ◆
          </span>
          <h1>Tabtune</h1>
          <span className="topbar__tagline">fine-tuning in a browser tab</span>
        </div>
        <div className="topbar__backend">
          <BackendBadge />
          <BackendSelect />
        </div>
      </header>
      <main className="studio" data-testid="studio" data-ready={ready} aria-busy={ready === 'false'}>
        <Notices />
        <StartupStatus />
        <div className="grid">
          <ModelPanel />
          <DatasetPanel />
          <TrainingPanel />
          <EvaluationPanel />
          <TryPanel />
          <ExportPanel />
        </div>
      </main>
    </>
  );
}
