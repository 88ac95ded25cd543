import { useMemo } from 'react';
import type { ModuleMode, LmModuleSummary } from '../../../src/index.ts';
import { NumberCell } from '../../components/NumberCell.tsx';
import { Panel } from '../../components/Panel.tsx';
import { TermsHelp } from '../help/TermsHelp.tsx';
import { stepAnchor } from '../studio/flowSteps.ts';
import { formatBytes, formatInteger, formatPercent } from '../../format.ts';
import { selectAnyRunning } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { buildPlanGrid, cellKey, countModes, loraModuleMode, presetPlan, withLoraRank, type PresetKind } from './planGrid.ts';

import { useLmPlanSync } from './useLmPlanSync.ts';

const MAX_RANK = 512;

const PRESETS: readonly { kind: PresetKind; label: string; testId: string; title: string }[] = [
  { kind: 'default', label: 'PEFT defaults', testId: 'lm-preset-default', title: 'LoRA on the architecture’s default target modules' },
  { kind: 'all', label: 'All linear', testId: 'lm-preset-all', title: 'LoRA on every projection in the blocks' },
  { kind: 'none', label: 'Clear', testId: 'lm-preset-none', title: 'Freeze everything' },
];

/** Which projections train, and how: a block × projection table, presets, and the engine's live totals. */
export function LmPlanPanel() {
  useLmPlanSync();
  const summary = useStudio((s) => s.lm.model.summary);
  const running = useStudio(selectAnyRunning);
  const grid = useMemo(() => (summary ? buildPlanGrid(summary) : null), [summary]);

  return (
    <Panel title="Plan" id={stepAnchor('lm', 'plan')} className="panel--lm-plan" testId="lm-plan-panel" aside={<LmPlanTotals />}>
      {!summary || !grid ? (
        <p className="muted">Load a language model to choose which projections train.</p>
      ) : (
        <>
          <LmPresets disabled={running} />
          <TermsHelp summary="What do frozen, full, LoRA, r, α, dropout and rsLoRA mean?" terms={['frozen', 'full', 'lora', 'rank', 'alpha', 'dropout', 'rslora']} testId="lm-plan-help" />
          <div className="table-scroll lm-plan-scroll">
            <table className="table lm-plan" data-testid="lm-plan-table">
              <caption className="visually-hidden">Training plan: one row per block, one column per projection</caption>
              <thead>
                <tr>
                  <th scope="col">Block</th>
                  {grid.columns.map((c) => (
                    <th key={c} scope="col" data-testid={`lm-col-${c}`} title={grid.fused[c] ? `one fused projection: ${grid.fused[c].join(' + ')} (one LoRA pair)` : undefined}>
                      <code>{c}</code>
                      {grid.fused[c] && <span className="tag" data-testid={`lm-col-fused-${c}`}>{`fused ${grid.fused[c].length}`}</span>}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {grid.rows.map((row) => (
                  <tr key={row.layer}>
                    <th scope="row">{row.layer}</th>
                    {row.cells.map((m, i) => (
                      <td key={grid.columns[i]}>{m ? <LmPlanCell module={m} disabled={running} /> : <span className="muted">—</span>}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {grid.others.length > 0 && (
            <div className="lm-plan-others">
              <h3>Outside the blocks</h3>
              {grid.others.map((m) => (
                <div key={m.path} className="lm-plan-other">
                  <code>{m.path}</code>
                  <LmPlanCell module={m} disabled={running} />
                </div>
              ))}
            </div>
          )}
        </>
      )}
    </Panel>
  );
}

function LmPresets({ disabled }: { disabled: boolean }) {
  const rank = useStudio((s) => s.lm.plan.presetRank);
  const dropout = useStudio((s) => s.lm.plan.presetDropout);
  const rslora = useStudio((s) => s.lm.plan.presetRslora);
  const apply = (kind: PresetKind): void => {
    const s = studioStore.getState();
    if (!s.lm.model.summary) return;
    s.replaceLmPlan(presetPlan(s.lm.model.summary, kind, { r: rank, dropout, rslora }));
  };
  return (
    <div className="plan-presets lm-presets" role="group" aria-label="Plan presets">
      {PRESETS.map((p) => (
        <button key={p.kind} type="button" className="button" disabled={disabled} title={p.title} data-testid={p.testId} onClick={() => apply(p.kind)}>
          {p.label}
        </button>
      ))}
      <NumberCell
        label="rank"
        ariaLabel="LoRA rank for the presets (alpha = 2 × rank)"
        value={rank}
        min={1}
        max={MAX_RANK}
        integer
        disabled={disabled}
        testId="lm-preset-rank"
        onCommit={(presetRank) => studioStore.getState().setLmPresetOptions({ presetRank })}
      />
      <NumberCell
        label="dropout"
        ariaLabel="LoRA dropout for the presets"
        value={dropout}
        min={0}
        max={0.9}
        step={0.05}
        integer={false}
        disabled={disabled}
        testId="lm-preset-dropout"
        onCommit={(presetDropout) => studioStore.getState().setLmPresetOptions({ presetDropout })}
      />
      <label className="plan-field" title="rsLoRA: scale by alpha / sqrt(r) instead of alpha / r">
        <input
          type="checkbox"
          checked={rslora}
          disabled={disabled}
          data-testid="lm-preset-rslora"
          onChange={(e) => studioStore.getState().setLmPresetOptions({ presetRslora: e.target.checked })}
        />
        <span>rsLoRA</span>
      </label>
    </div>
  );
}

function LmPlanCell({ module: m, disabled }: { module: LmModuleSummary; disabled: boolean }) {
  const mode = useStudio((s) => s.lm.plan.modules[m.path]);
  const kind = mode?.kind ?? 'frozen';
  const key = cellKey(m);
  const set = (next: ModuleMode): void => studioStore.getState().setLmModuleMode(m.path, next);
  const fromPresets = (): ModuleMode => {
    const p = studioStore.getState().lm.plan;
    return loraModuleMode({ r: p.presetRank, dropout: p.presetDropout, rslora: p.presetRslora });
  };
  return (
    <div className="plan-cell" title={`${m.path}: ${m.inFeatures} → ${m.outFeatures}, ${formatInteger(m.params)} parameters`}>
      <select
        aria-label={`Plan for ${m.path}`}
        data-testid={`lm-plan-${key}`}
        data-mode={kind}
        value={kind}
        disabled={disabled}
        onChange={(e) => {
          const v = e.target.value;
          set(v === 'lora' ? fromPresets() : v === 'full' ? { kind: 'full' } : { kind: 'frozen' });
        }}
      >
        <option value="frozen">frozen</option>
        <option value="full">full</option>
        <option value="lora">LoRA</option>
      </select>
      {mode?.kind === 'lora' && (
        <>
          <NumberCell
            label="r"
            ariaLabel={`LoRA rank for ${m.path}`}
            value={mode.r}
            min={1}
            max={MAX_RANK}
            integer
            disabled={disabled}
            testId={`lm-rank-${key}`}
            onCommit={(r) => set(withLoraRank(mode, r))}
          />
          <NumberCell
            label="α"
            ariaLabel={`LoRA alpha for ${m.path}`}
            value={mode.alpha}
            min={0}
            max={100_000}
            integer={false}
            disabled={disabled}
            testId={`lm-alpha-${key}`}
            onCommit={(alpha) => set({ ...mode, alpha })}
          />
        </>
      )}
    </div>
  );
}

function LmPlanTotals() {
  const summary = useStudio((s) => s.lm.plan.summary);
  const error = useStudio((s) => s.lm.plan.error);
  const syncing = useStudio((s) => s.lm.plan.syncing);
  const modules = useStudio((s) => s.lm.plan.modules);
  const counts = countModes(modules);
  return (
    <div className="plan-totals lm-plan-totals" data-syncing={syncing} aria-live="polite">
      {error ? (
        <p className="plan-error" role="alert" data-testid="lm-plan-error">
          {error}
        </p>
      ) : summary ? (
        <dl className="facts">
          <div>
            <dt>Trainable</dt>
            <dd data-testid="lm-trainable" data-value={summary.trainableParams}>
              {formatInteger(summary.trainableParams)}
            </dd>
          </div>
          <div>
            <dt>Of total</dt>
            <dd data-testid="lm-trainable-percent">{formatPercent(summary.totalParams > 0 ? summary.trainableParams / summary.totalParams : null, 3)}</dd>
          </div>
          <div>
            <dt>Memory (est.)</dt>
            <dd data-testid="lm-memory" data-value={summary.memoryBytes}>
              {formatBytes(summary.memoryBytes)}
              {summary.memoryBudgetBytes !== null ? ` of ${formatBytes(summary.memoryBudgetBytes)}` : ''}
              {summary.gradientCheckpointing ? ' (with gradient checkpointing)' : ''}
            </dd>
          </div>
          <div>
            <dt>Modules</dt>
            <dd data-testid="lm-plan-counts">
              {counts.lora} LoRA · {counts.full} full
            </dd>
          </div>
        </dl>
      ) : counts.lora + counts.full > 0 ? (
        <p className="muted" data-testid="lm-plan-pending">
          Totals appear after the next change.
        </p>
      ) : null}
    </div>
  );
}
