import { useEffect, useState } from 'react';
import { trainingLockHeld } from '../../engine/trainingLock.ts';
import { selectAnyRunning } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';

const POLL_MS = 2000;

/** Whether another tab holds the training lock now (polled while this page runs nothing). */
export function useTrainingElsewhere(): boolean {
  const trainingHere = useStudio(selectAnyRunning);
  const [elsewhere, setElsewhere] = useState(false);
  useEffect(() => {
    if (trainingHere) return;
    let alive = true;
    const check = (): void => {
      void trainingLockHeld().then((held) => {
        if (alive) setElsewhere(held);
      });
    };
    const timer = setInterval(check, POLL_MS);
    check();
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [trainingHere]);
  // While this page trains, the lock is its own.
  return elsewhere && !trainingHere;
}
