import { useState } from 'react';
import type { LayerSummary } from '../../../src/index.ts';
import { studioStore } from '../../store/studioStore.ts';
import { freezeFirstPlan, fullPlan, headOnlyPlan, loraAllPlan, weightedLayerCount } from './planPresets.ts';

/** One click to a common plan; the table below can then adjust single layers. */
export function PlanPresets({ layers, disabled }: { layers: readonly LayerSummary[]; disabled: boolean }) {
  const weighted = weightedLayerCount(layers);
  const [n, setN] = useState(() => Math.max(0, weighted - 1));
  const apply = (plan: ReturnType<typeof headOnlyPlan>) => studioStore.getState().replacePlan(plan);

  return (
    <div className="plan-presets" role="group" aria-label="Plan presets">
      <button type="button" className="button" data-testid="preset-head-only" disabled={disabled} onClick={() => apply(headOnlyPlan())}>
        Head only
      </button>
      <button type="button" className="button" data-testid="preset-lora-all" disabled={disabled} onClick={() => apply(loraAllPlan(layers))}>
        LoRA r=4 on every Dense/Conv2D
      </button>
      <span className="plan-presets__freeze">
        <button
          type="button"
          className="button"
          data-testid="preset-freeze-first"
          disabled={disabled}
          onClick={() => apply(freezeFirstPlan(layers, n))}
        >
          Freeze first N
        </button>
        <label>
          <span className="visually-hidden">N, layers with weights kept frozen</span>
          <input
            type="number"
            className="plan-number"
            min={0}
            max={weighted}
            step={1}
            value={n}
            disabled={disabled}
            data-testid="preset-freeze-n"
            title="Layers with weights kept frozen, from the input on; the rest are trained"
            onChange={(e) => {
              const v = Number(e.target.value);
              if (Number.isInteger(v) && v >= 0) setN(Math.min(v, weighted));
            }}
          />
        </label>
      </span>
      <button type="button" className="button" data-testid="preset-full" disabled={disabled} onClick={() => apply(fullPlan(layers))}>
        Full fine-tuning
      </button>
    </div>
  );
}
