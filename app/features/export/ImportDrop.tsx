import { useState, type ReactNode } from 'react';
import type { DatasetFile } from '../../../src/index.ts';
import { DropZone } from '../../components/DropZone.tsx';
import { FilePickerButton } from '../../components/FilePickerButton.tsx';
import { describeError } from '../../engine/describeError.ts';
import { studioStore } from '../../store/studioStore.ts';
import { collectFromDrop, collectFromFileList } from '../dataset/collectFiles.ts';
import { snapshotDrop } from '../dataset/dropSnapshot.ts';

export interface ImportPicker {
  label: string;
  busyLabel?: string;
  testId: string;
  accept?: string;
  multiple?: boolean;
  directory?: boolean;
}

interface ImportDropProps {
  label: string;
  testId: string;
  disabled: boolean;
  pickers: readonly ImportPicker[];
  children: ReactNode;
  /** Takes the exported files back (a run's zip, a PEFT adapter); never rejects. */
  onFiles: (files: DatasetFile[]) => Promise<unknown>;
}

/** Taking an export back, for any task: drop its files or folder here, or pick them. */
export function ImportDrop({ label, testId, disabled, pickers, children, onFiles }: ImportDropProps) {
  const [importing, setImporting] = useState(false);
  const run = async (collect: () => Promise<{ files: DatasetFile[] }>): Promise<void> => {
    setImporting(true);
    try {
      await onFiles((await collect()).files);
    } catch (error) {
      studioStore.getState().pushError(describeError('Could not read the dropped files', error), 'classifier/export');
    } finally {
      setImporting(false);
    }
  };
  const off = disabled || importing;
  return (
    <DropZone
      label={label}
      disabled={off}
      testId={testId}
      onDrop={(dt) => {
        const drop = snapshotDrop(dt);
        void run(() => collectFromDrop(drop));
      }}
    >
      <p className="dropzone__hint">{children}</p>
      <div className="export-buttons">
        {pickers.map((p, i) => (
          <FilePickerButton
            key={p.testId}
            accept={p.accept}
            multiple={p.multiple}
            directory={p.directory}
            disabled={off}
            busy={i === 0 && importing}
            inputTestId={p.testId}
            onFiles={(files) => {
              if (files.length > 0) void run(() => Promise.resolve(collectFromFileList(files)));
            }}
          >
            {i === 0 && importing ? (p.busyLabel ?? 'Importing…') : p.label}
          </FilePickerButton>
        ))}
      </div>
    </DropZone>
  );
}
