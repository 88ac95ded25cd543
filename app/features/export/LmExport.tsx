import { useState } from 'react';
import type { LmExport as LmExportFiles } from '../../../src/index.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { formatBytes } from '../../format.ts';
import { selectLmBusy } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { ClusterJob } from './ClusterJob.tsx';
import { ExportButtons, type ExportAction } from './ExportButtons.tsx';
import { ImportDrop } from './ImportDrop.tsx';
import { downloadExportFile, exportLm, importLmAdapter } from './lmExportActions.ts';

/** PEFT adapter and merged model downloads, and taking an adapter back (from here or from Python PEFT). */
export function LmExport({ trained }: { trained: boolean }) {
  const handle = useEngine();
  const hasModel = useStudio((s) => s.lm.model.summary !== null);
  const busy = useStudio(selectLmBusy);
  const [last, setLast] = useState<LmExportFiles | null>(null);
  const exportAs = (kind: 'adapter' | 'merged') => async (): Promise<void> => {
    const exported = await exportLm(handle, kind);
    if (exported) setLast(exported);
  };
  const actions: ExportAction[] = [
    { key: 'adapter', label: 'Download adapter (.zip)', testId: 'lm-export-adapter', primary: true, run: exportAs('adapter') },
    {
      key: 'merged',
      label: 'Download merged model (.zip)',
      testId: 'lm-export-merged',
      title: 'The base model with the adapter merged in: a Hugging Face folder',
      run: exportAs('merged'),
    },
  ];

  return (
    <>
      <p className="muted">{trained ? 'Downloads use the current adapter strength.' : 'Available after a run or an imported adapter.'}</p>
      <ExportButtons actions={actions} disabled={!trained || busy} />
      {last && (
        <div className="lm-export-files">
          <p className="muted">
            <code>{last.name}.zip</code> — or its files one by one:
          </p>
          <ul className="bundle-files" data-testid="lm-export-files">
            {Object.entries(last.files).map(([path, bytes]) => (
              <li key={path}>
                <button type="button" className="button button--ghost" data-testid="lm-export-file" data-file={path} onClick={() => downloadExportFile(last, path)}>
                  {path} <span className="muted">({formatBytes(bytes.byteLength)})</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <ImportDrop
        label="Adapter files"
        testId="lm-import-adapter-dropzone"
        disabled={!hasModel || busy}
        pickers={[
          { label: 'Import adapter files…', testId: 'lm-import-adapter-input', multiple: true, accept: '.json,.safetensors,application/json,application/octet-stream' },
          { label: 'Import adapter folder…', testId: 'lm-import-adapter-folder-input', directory: true },
        ]}
        onFiles={(files) => importLmAdapter(handle, files)}
      >
        Import a PEFT adapter (made here or with Python PEFT): <code>adapter_config.json</code> and <code>adapter_model.safetensors</code>, or their folder.
      </ImportDrop>
      <ClusterJob />
    </>
  );
}
