import { useEffect, useRef } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner.tsx';
import type { NoticePlace } from '../../store/noticeSlice.ts';
import { selectErrorCount, selectLatestError } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';

/**
 * The newest error of one action, shown beside it (a drop zone, a form, a button) rather than in a
 * banner at the top the user may not see. The wrapper is a live region that stays in the page, so
 * screen readers announce each new error; a new error is scrolled into view.
 */
export function InlineError({ place }: { place: NoticePlace }) {
  const error = useStudio((s) => selectLatestError(s, place));
  const count = useStudio((s) => selectErrorCount(s, place));
  const ref = useRef<HTMLDivElement>(null);
  const id = error?.id;
  useEffect(() => {
    if (id !== undefined) ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [id]);
  return (
    <div ref={ref} className="inline-error" role="alert" data-place={place} data-testid={`inline-error-${place.replace('/', '-')}`}>
      {error && (
        <ErrorBanner
          key={error.id}
          title={error.title}
          message={error.message}
          more={count - 1}
          live={false}
          onDismiss={() => studioStore.getState().dismissError(error.id)}
        />
      )}
    </div>
  );
}
