import { ErrorBanner } from '../../components/ErrorBanner.tsx';
import { selectErrorCount, selectLatestError } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';

/** The latest error (dismissible; older ones wait behind it) and the engine's warnings. */
export function Notices() {
  const error = useStudio(selectLatestError);
  const count = useStudio(selectErrorCount);
  const notices = useStudio((s) => s.notice.notices);
  return (
    <div className="notices">
      {error && (
        <ErrorBanner
          key={error.id}
          title={error.title}
          message={error.message}
          more={count - 1}
          onDismiss={() => studioStore.getState().dismissError(error.id)}
        />
      )}
      {notices.map((n) => (
        <div key={n.id} className="banner banner--warn" role="status">
          <span className="banner__text">{n.message}</span>
          <button
            type="button"
            className="button button--ghost"
            aria-label="Dismiss warning"
            onClick={() => studioStore.getState().dismissNotice(n.id)}
          >
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
