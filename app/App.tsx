import { BackendBadge } from './features/backend/BackendBadge.tsx';
import { BackendSelect } from './features/backend/BackendSelect.tsx';
import { Notices } from './features/notices/Notices.tsx';
import { OtherTabBanner } from './features/notices/OtherTabBanner.tsx';
import { StartupStatus } from './features/session/StartupStatus.tsx';
import { ClassifierStudio } from './features/studio/ClassifierStudio.tsx';
import { LmStudio } from './features/studio/LmStudio.tsx';
import { ModeTabs, modePanelId, modeTabId } from './features/studio/ModeTabs.tsx';
import { useOpenLmOnFirstView } from './features/studio/useOpenLmOnFirstView.ts';
import { selectReadyAttr } from './store/selectors.ts';
import { useStudio } from './store/studioStore.ts';

export function App() {
  const ready = useStudio(selectReadyAttr);
  const mode = useStudio((s) => s.session.mode);
  useOpenLmOnFirstView(mode);
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
        <ModeTabs />
        <div className="topbar__backend">
          <BackendBadge />
          <BackendSelect />
        </div>
      </header>
      <main className="studio" data-testid="studio" data-ready={ready} aria-busy={ready === 'false'}>
        <Notices />
        <OtherTabBanner />
        <StartupStatus />
        {/* Both halves stay mounted (hidden, not unmounted): switching never loses either one's state. */}
        <div role="tabpanel" id={modePanelId('images')} aria-labelledby={modeTabId('images')} hidden={mode !== 'images'} data-testid="images-studio">
          <ClassifierStudio />
        </div>
        <div role="tabpanel" id={modePanelId('lm')} aria-labelledby={modeTabId('lm')} hidden={mode !== 'lm'}>
          <LmStudio />
        </div>
      </main>
    </>
  );
}
