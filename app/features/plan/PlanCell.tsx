import type { LayerSummary, ModuleMode } from '../../../src/index.ts';
import { NumberCell } from '../../components/NumberCell.tsx';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { loraMode, MAX_LORA_DROPOUT, withAlpha, withDropout, withRank, withRslora } from './planPresets.ts';

const MAX_RANK = 512;

/** What happens to one base layer in the next run: frozen, trained in full, or LoRA with rank, alpha, dropout and rsLoRA. */
export function PlanCell({ layer, disabled }: { layer: LayerSummary; disabled: boolean }) {
  const mode = useStudio((s) => s.plan.layers[layer.name]);
  const kind = mode?.kind ?? 'frozen';
  if (layer.params === 0 && kind === 'frozen') return <span className="muted">no weights</span>;
  const set = (next: ModuleMode) => studioStore.getState().setLayerMode(layer.name, next);

  return (
    <div className="plan-cell">
      <select
        aria-label={`Plan for ${layer.name}`}
        data-testid={`plan-mode-${layer.name}`}
        value={kind}
        disabled={disabled}
        onChange={(e) => {
          const v = e.target.value;
          set(v === 'lora' ? loraMode() : v === 'full' ? { kind: 'full' } : { kind: 'frozen' });
        }}
      >
        <option value="frozen">frozen</option>
        <option value="full">train</option>
        {(layer.loraSupported || kind === 'lora') && <option value="lora">LoRA</option>}
      </select>
      {mode?.kind === 'lora' && (
        <>
          <NumberCell
            label="r"
            value={mode.r}
            min={1}
            max={MAX_RANK}
            integer
            disabled={disabled}
            testId={`plan-rank-${layer.name}`}
            onCommit={(r) => set(withRank(mode, r))}
          />
          <NumberCell
            label="α"
            value={mode.alpha}
            min={0}
            max={100_000}
            integer={false}
            disabled={disabled}
            testId={`plan-alpha-${layer.name}`}
            onCommit={(alpha) => set(withAlpha(mode, alpha))}
          />
          <NumberCell
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
