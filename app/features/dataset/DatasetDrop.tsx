import { useRef } from 'react';
import { DropZone } from '../../components/DropZone.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { describeError } from '../../engine/describeError.ts';
import { selectIsTraining } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { collectFromDrop, collectFromFileList, type CollectedDataset } from './collectFiles.ts';
import { snapshotDrop } from './dropSnapshot.ts';
import { importDataset } from './importDataset.ts';

/** Where a new dataset comes in: drop a folder, or pick one with the keyboard-friendly button. */
export function DatasetDrop() {
  const handle = useEngine();
  const input = useRef<HTMLInputElement>(null);
  const importing = useStudio((s) => s.dataset.importing);
  const training = useStudio(selectIsTraining);
  const disabled = importing || training;

  const load = async (collect: Promise<CollectedDataset>): Promise<void> => {
    let collected: CollectedDataset;
    try {
      collected = await collect;
    } catch (error) {
      studioStore.getState().pushError(describeError('Could not read the dropped folder', error));
      return;
    }
    await importDataset(handle, collected.name, collected.files);
  };

  return (
    <DropZone label="Dataset folder" onDrop={(dt) => void load(collectFromDrop(snapshotDrop(dt)))} disabled={disabled} testId="dataset-dropzone">
      <p className="dropzone__title">Drop a dataset folder here</p>
      <p className="dropzone__hint">One sub-folder per class, e.g. <code>shapes/ring/001.png</code>. Images never leave this tab.</p>
      <button type="button" className="button" disabled={disabled} onClick={() => input.current?.click()}>
        Choose folder…
      </button>
      <input
        ref={input}
        type="file"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        webkitdirectory=""
        multiple
        disabled={disabled}
        data-testid="dataset-folder-input"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          // Clear it so choosing the same folder again (after editing it) still fires a change.
          e.target.value = '';
          if (files.length > 0) void load(Promise.resolve(collectFromFileList(files)));
          else if (e.target.files) {
            // Browsers list no files at all for an empty folder (and for one holding only empty sub-folders).
            studioStore.getState().pushError({
              title: 'Could not import the dataset',
              message: 'The chosen folder has no files. Choose a folder with one sub-folder of images per class.',
              code: 'empty-dataset',
            });
          }
        }}
      />
      {importing && (
        <p className="dropzone__status" role="status">
          Importing…
        </p>
      )}
    </DropZone>
  );
}
