import { useState } from 'react';
import type { TaskKind } from '../../../src/index.ts';
import { Panel } from '../../components/Panel.tsx';
import { InlineError } from '../notices/InlineError.tsx';
import { stepAnchor } from '../studio/flowSteps.ts';
import { classifierPlanWords } from '../studio/runSummary.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { selectAnyRunning, selectHasDataset, selectHasTrainedRun } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { downloadBundle } from './bundleActions.ts';
import { ExportButtons, type ExportAction } from './ExportButtons.tsx';
import { downloadExport } from './exportActions.ts';
import { ImportDrop } from './ImportDrop.tsx';
import { importRunFiles } from './importRunActions.ts';
import { LmExport } from './LmExport.tsx';

/** Downloads of the trained run and taking an export back: the same panel for every task, with each task's files. */
export function ExportPanel({ task }: { task: TaskKind }) {
  const trained = useStudio((s) => selectHasTrainedRun(s, task));
  return (
    <Panel
      title="Export"
      id={stepAnchor(task, 'export')}
      className={task === 'lm' ? 'panel--export panel--lm-export' : 'panel--export'}
      testId={task === 'lm' ? 'lm-export-panel' : 'export-panel'}
    >
      {task === 'lm' ? <LmExport trained={trained} /> : <ClassifierExport trained={trained} />}
      <InlineError place={`${task}/export`} />
    </Panel>
  );
}

/** The trained head (safetensors) and its description (JSON), the whole bundle, and a bundle taken back. */
function ClassifierExport({ trained }: { trained: boolean }) {
  const handle = useEngine();
  const running = useStudio(selectAnyRunning);
  const canImport = useStudio((s) => selectHasDataset(s) && s.model.summary !== null);
  /** What the last downloaded bundle held, and the run it was of (a new run makes it stale). */
  const [bundle, setBundle] = useState<{ files: string[]; run: number | null } | null>(null);
  const finishedAt = useStudio((s) => s.runs.classifier.finishedAt);
  const plan = useStudio((s) => s.plan.layers);
  const adapted = Object.keys(plan).length > 0;
  if (bundle !== null && bundle.run !== finishedAt) setBundle(null);

  const actions: ExportAction[] = [
    { key: 'weights', label: 'Download head only (.safetensors)', testId: 'download-weights', run: () => downloadExport(handle, 'weights') },
    { key: 'manifest', label: 'Download description (.json)', testId: 'download-manifest', run: () => downloadExport(handle, 'manifest') },
    { key: 'both', label: 'Download both', testId: 'download-both', primary: true, run: () => downloadExport(handle, 'both') },
  ];
  const bundleAction: ExportAction = {
    key: 'bundle',
    label: 'Download everything (.zip)',
    testId: 'download-bundle',
    primary: true,
    title: 'PEFT adapter, head, merged TF.js model and manifest in one zip',
    run: async () => {
      const files = await downloadBundle(handle);
      if (files) setBundle({ files, run: finishedAt });
    },
  };

  return (
    <>
      <p className="muted">{trained ? 'The new head’s weights as safetensors, and a JSON description of its classes, input and base model.' : 'Available after a run.'}</p>
      {trained && adapted && (
        <p className="export-note" data-testid="export-head-only-note">
          The run trained more than the head ({classifierPlanWords(plan)}): the head download holds the head only. The adapters and trained layers are in
          “Download everything (.zip)”.
        </p>
      )}
      <ExportButtons actions={actions} disabled={!trained || running} />
      <ExportButtons actions={[bundleAction]} disabled={!trained || running} />
      {bundle && (
        <ul className="bundle-files" aria-label="Files in the downloaded zip" data-testid="bundle-files">
          {bundle.files.map((f) => (
            <li key={f} data-testid="bundle-file">
              <code>{f}</code>
            </li>
          ))}
        </ul>
      )}
      <ImportDrop
        label="Exported run"
        testId="import-run-dropzone"
        disabled={!canImport || running}
        pickers={[{ label: 'Import a run (.zip)…', testId: 'import-run-input', accept: '.zip,application/zip' }]}
        onFiles={(files) => importRunFiles(handle, files)}
      >
        Take back a run Tabtune exported: it is evaluated on the loaded dataset (same classes) and becomes the current run.
      </ImportDrop>
    </>
  );
}
