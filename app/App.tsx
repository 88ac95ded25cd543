import { useEffect } from 'react';
import { BackendBadge } from './features/backend/BackendBadge.tsx';
import { BackendSelect } from './features/backend/BackendSelect.tsx';
import { DatasetPanel } from './features/dataset/DatasetPanel.tsx';
import { EvaluationPanel } from './features/evaluation/EvaluationPanel.tsx';
import { ExportPanel } from './features/export/ExportPanel.tsx';
import { LmStudio } from './features/lm/LmStudio.tsx';
import { ModeTabs, modeFromSearch, modePanelId, modeTabId } from './features/lm/ModeTabs.tsx';
import { ModelPanel } from './features/model/ModelPanel.tsx';
import { Notices } from './features/notices/Notices.tsx';
import { OtherTabBanner } from './features/notices/OtherTabBanner.tsx';
import { StartupStatus } from './features/session/StartupStatus.tsx';
import { TrainingPanel } from './features/training/TrainingPanel.tsx';
import { TryPanel } from './features/try/TryPanel.tsx';
import { selectReadyAttr } from './store/selectors.ts';
import { studioStore, useStudio } from './store/studioStore.ts';

export function App() {
  const ready = useStudio(selectReadyAttr);
  const mode = useStudio((s) => s.mode);
  useEffect(() => {
    const fromUrl = modeFromSearch(window.location.search);
    if (fromUrl) studioStore.getState().setMode(fromUrl);
  }, []);
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
        <ModeTabs />
        <Notices />
        <OtherTabBanner />
        <StartupStatus />
        {/* Both halves stay mounted (hidden, not unmounted): switching never loses either one's state. */}
        <div role="tabpanel" id={modePanelId('images')} aria-labelledby={modeTabId('images')} hidden={mode !== 'images'} data-testid="images-studio">
          <div className="grid">
            <ModelPanel />
            <DatasetPanel />
            <TrainingPanel />
            <EvaluationPanel />
            <TryPanel />
            <ExportPanel />
          </div>
        </div>
        <div role="tabpanel" id={modePanelId('lm')} aria-labelledby={modeTabId('lm')} hidden={mode !== 'lm'}>
          <LmStudio />
        </div>
      </main>
    </>
  );
}
