import { useState } from 'react';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { selectLmBusy } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { ExportButtons } from './ExportButtons.tsx';
import { ImportDrop } from './ImportDrop.tsx';
import { downloadClusterJob, importJobOutput } from './jobActions.ts';

/**
 * "Run on a cluster": the loaded model, the dataset as split here, the plan and the run settings as a
 * job folder for Accelerate + PEFT (many GPUs, many machines), and its output taken back.
 */
export function ClusterJob() {
  const handle = useEngine();
  const ready = useStudio((s) => s.lm.model.summary !== null && s.lm.dataset.summary !== null);
  const hasModel = useStudio((s) => s.lm.model.summary !== null);
  const busy = useStudio(selectLmBusy);
  const [files, setFiles] = useState<string[] | null>(null);
  return (
    <div className="cluster-job" data-testid="lm-cluster-job">
      <h3>Run on a cluster</h3>
      <p className="muted">
        When the model or data outgrow the tab: the same run (plan, data split, settings) as a folder for PyTorch with Accelerate and PEFT, for one GPU, eight, or
        several machines. Its README says how to start it; bring its <code>output/</code> folder back below.
      </p>
      <ExportButtons
        actions={[
          {
            key: 'job',
            label: 'Run on a cluster (.zip)',
            testId: 'lm-export-job',
            title: 'train.py, launch.sh, accelerate configs (DDP and FSDP), the data as split here, the LoRA config',
            run: async () => setFiles(await downloadClusterJob(handle)),
          },
        ]}
        disabled={!ready || busy}
      />
      {files && (
        <ul className="bundle-files" aria-label="Files in the job zip" data-testid="lm-job-files">
          {files.map((f) => (
            <li key={f} data-testid="lm-job-file">
              <code>{f}</code>
            </li>
          ))}
        </ul>
      )}
      <ImportDrop
        label="Job output"
        testId="lm-import-job-dropzone"
        disabled={!hasModel || busy}
        pickers={[{ label: 'Import a job’s output folder…', testId: 'lm-import-job-input', directory: true }]}
        onFiles={(dropped) => importJobOutput(handle, dropped)}
      >
        Drop the job’s <code>output/</code> folder (<code>adapter/</code>, <code>trainer_state.json</code>, <code>job_result.json</code>): the adapter is applied and its
        loss history drawn; try it, export it or train on from it here.
      </ImportDrop>
    </div>
  );
}
