import { useTrainingElsewhere } from '../checkpoints/useTrainingElsewhere.ts';

/** Says so when another Tabtune tab holds the training lock (this tab's own runs are not reported). */
export function OtherTabBanner() {
  const elsewhere = useTrainingElsewhere();
  if (!elsewhere) return null;
  return (
    <p className="notice notice--info" role="status" data-testid="other-tab-training">
      A run is training in another Tabtune tab. Training here waits until it ends (one GPU, one run at a time).
    </p>
  );
}
