import { NumberField } from '../../components/NumberField.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { selectIsTraining } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { changeSplit } from './importDataset.ts';
import { fractionToPercent, MAX_PERCENT, MIN_PERCENT, parsePercent, percentToFraction } from './splitFraction.ts';

/** Validation share and split seed; each change re-splits the current dataset (the images are not decoded again). */
export function SplitControls() {
  const handle = useEngine();
  const fraction = useStudio((s) => s.dataset.split.validationFraction);
  const seed = useStudio((s) => s.dataset.split.seed);
  const training = useStudio(selectIsTraining);

  return (
    <div className="field-row">
      <NumberField
        label="Validation share"
        value={fractionToPercent(fraction)}
        parse={parsePercent}
        min={MIN_PERCENT}
        max={MAX_PERCENT}
        step={1}
        suffix="%"
        hint="Held out per class to measure accuracy"
        disabled={training}
        testId="val-fraction-input"
        onChange={(percent) => void changeSplit(handle, { validationFraction: percentToFraction(percent) })}
      />
      <NumberField
        label="Split seed"
        value={seed}
        integer
        min={0}
        max={2 ** 31 - 1}
        step={1}
        hint="Same seed, same split"
        disabled={training}
        testId="split-seed-input"
        onChange={(next) => void changeSplit(handle, { seed: next })}
      />
    </div>
  );
}
