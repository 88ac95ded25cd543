import { useMemo, useState } from 'react';
import type { TabularDatasetSummary } from '../../../src/index.ts';
import { ProbabilityBars } from '../../components/ProbabilityBars.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { useStudio } from '../../store/studioStore.ts';
import { predictRow } from './predictRow.ts';
import { rankPrediction } from './predictImage.ts';

/** Try a table model on one row: the feature columns as a form, started from a validation row (keyed by the caller per table). */
export function TryRow({ table, disabled }: { table: TabularDatasetSummary; disabled: boolean }) {
  const handle = useEngine();
  const features = useMemo(() => table.columns.filter((c) => c.role === 'feature'), [table]);
  const [values, setValues] = useState<Record<string, string>>(table.example ?? {});
  const { prediction, predicting } = useStudio((s) => s.tryIt);
  const ranked = useMemo(() => (prediction && prediction.value === undefined ? rankPrediction(prediction.classes, prediction.probabilities) : []), [prediction]);

  return (
    <form
      className="try-row"
      data-testid="try-row"
      onSubmit={(e) => {
        e.preventDefault();
        void predictRow(handle, values);
      }}
    >
      <div className="try-row__fields">
        {features.map((c) => (
          <label key={c.name} className="field">
            <span>{c.name}</span>
            <input
              value={values[c.name] ?? ''}
              inputMode={c.type === 'numeric' ? 'decimal' : 'text'}
              disabled={disabled}
              data-testid="try-row-input"
              data-column={c.name}
              onChange={(e) => setValues({ ...values, [c.name]: e.target.value })}
            />
          </label>
        ))}
      </div>
      <button type="submit" className="button button--primary" disabled={disabled} data-testid="try-row-predict">
        Predict {table.labelColumn}
      </button>
      {predicting && <p className="muted" role="status">Predicting…</p>}
      {prediction?.value !== undefined && (
        <p className="try-row__value" data-testid="try-row-value" data-value={prediction.value}>
          {table.labelColumn} ≈ <strong>{prediction.value.toPrecision(4)}</strong>
        </p>
      )}
      {ranked.length > 0 && <ProbabilityBars items={ranked} rowTestId="prediction-row" />}
    </form>
  );
}
