import { useEffect, useState } from 'react';
import { trainingLockHeld } from '../../engine/trainingLock.ts';
import { selectAnyRunning } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';

const POLL_MS = 2000;

/** Says so when another Tabtune tab holds the training lock (this tab's own runs are not reported). */
export function OtherTabBanner() {
  const trainingHere = useStudio(selectAnyRunning);
  const [elsewhere, setElsewhere] = useState(false);
  useEffect(() => {
    let alive = true;
    const check = (): void => {
      void trainingLockHeld().then((held) => {
        if (alive) setElsewhere(held && !trainingHere);
      });
    };
    const timer = setInterval(check, POLL_MS);
    check();
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [trainingHere]);
  if (!elsewhere) return null;
  return (
    <p className="notice notice--info" role="status" data-testid="other-tab-training">
      A run is training in another Tabtune tab. Training here waits until it ends (one GPU, one run at a time).
    </p>
  );
}
