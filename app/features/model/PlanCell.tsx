import { useState } from 'react';
import type { LayerMode, LayerSummary } from '../../../src/index.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { loraMode, MAX_LORA_DROPOUT, withAlpha, withDropout, withRank, withRslora } from './planPresets.ts';

const MAX_RANK = 512;

interface SmallNumberProps {
  label: string;
  /** The accessible name, when the short visible label is not enough. */
  ariaLabel?: string;
  value: number;
  min: number;
  max: number;
  integer: boolean;
  /** The arrow-key step for non-integer inputs (default: any). */
  step?: number;
  disabled: boolean;
  testId: string;
  onCommit: (value: number) => void;
}

/** A compact number input for a table cell: commits valid entries as you type, flags the rest. */
function SmallNumber({ label, ariaLabel, value, min, max, integer, step, disabled, testId, onCommit }: SmallNumberProps) {
  const [draft, setDraft] = useState(String(value));
  const [shown, setShown] = useState(value);
  if (value !== shown) {
    setShown(value);
    if (Number(draft) !== value) setDraft(String(value));
  }
  const n = draft.trim() === '' ? Number.NaN : Number(draft);
  const valid = Number.isFinite(n) && (!integer || Number.isInteger(n)) && n >= min && n <= max;
  return (
    <label className="plan-field">
      <span className="plan-field__label">{label}</span>
      <input
        type="number"
        className="plan-number"
        min={min}
        max={max}
        step={integer ? 1 : (step ?? 'any')}
        aria-label={ariaLabel}
        value={draft}
        disabled={disabled}
        aria-invalid={!valid}
        title={`${integer ? 'A whole number' : 'A number'} from ${min} to ${max}`}
        data-testid={testId}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const v = text.trim() === '' ? Number.NaN : Number(text);
          if (Number.isFinite(v) && (!integer || Number.isInteger(v)) && v >= min && v <= max && v !== value) onCommit(v);
        }}
        onBlur={() => {
          if (!valid) setDraft(String(value));
        }}
      />
    </label>
  );
}

/** What happens to one base layer in the next run: frozen, trained in full, or LoRA with rank, alpha, dropout and rsLoRA. */
export function PlanCell({ layer, disabled }: { layer: LayerSummary; disabled: boolean }) {
  const mode = useStudio((s) => s.plan.layers[layer.name]);
  const kind = mode?.kind ?? 'frozen';
  if (layer.params === 0 && kind === 'frozen') return <span className="muted">no weights</span>;
  const set = (next: LayerMode) => studioStore.getState().setLayerMode(layer.name, next);

  return (
    <div className="plan-cell">
      <select
        aria-label={`Plan for ${layer.name}`}
        data-testid={`plan-mode-${layer.name}`}
        value={kind}
        disabled={disabled}
        onChange={(e) => {
          const v = e.target.value;
          set(v === 'lora' ? loraMode() : v === 'train' ? { kind: 'train' } : { kind: 'frozen' });
        }}
      >
        <option value="frozen">frozen</option>
        <option value="train">train</option>
        {(layer.loraSupported || kind === 'lora') && <option value="lora">LoRA</option>}
      </select>
      {mode?.kind === 'lora' && (
        <>
          <SmallNumber
            label="r"
            value={mode.r}
            min={1}
            max={MAX_RANK}
            integer
            disabled={disabled}
            testId={`plan-rank-${layer.name}`}
            onCommit={(r) => set(withRank(mode, r))}
          />
          <SmallNumber
            label="α"
            value={mode.alpha}
            min={0}
            max={100_000}
            integer={false}
            disabled={disabled}
            testId={`plan-alpha-${layer.name}`}
            onCommit={(alpha) => set(withAlpha(mode, alpha))}
          />
          <SmallNumber
            label="drop"
            ariaLabel={`LoRA dropout for ${layer.name}`}
            value={mode.dropout ?? 0}
            min={0}
            max={MAX_LORA_DROPOUT}
            integer={false}
            step={0.05}
            disabled={disabled}
            testId={`plan-dropout-${layer.name}`}
            onCommit={(dropout) => set(withDropout(mode, dropout))}
          />
          <label className="plan-field" title="rsLoRA: scale by alpha / sqrt(r) instead of alpha / r">
            <input
              type="checkbox"
              aria-label={`rsLoRA for ${layer.name}`}
              checked={mode.rslora === true}
              disabled={disabled}
              data-testid={`plan-rslora-${layer.name}`}
              onChange={(e) => set(withRslora(mode, e.target.checked))}
            />
            <span className="plan-field__label">rs</span>
          </label>
        </>
      )}
    </div>
  );
}
