import { FilePickerButton } from '../../components/FilePickerButton.tsx';
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
      <FilePickerButton
        directory
        disabled={disabled}
        inputTestId="dataset-folder-input"
        onFiles={(files) => {
          if (files.length > 0) void load(Promise.resolve(collectFromFileList(files)));
          else {
            // Browsers list no files at all for an empty folder (and for one holding only empty sub-folders).
            studioStore.getState().pushError({
              title: 'Could not import the dataset',
              message: 'The chosen folder has no files. Choose a folder with one sub-folder of images per class.',
              code: 'empty-dataset',
            });
          }
        }}
      >
        Choose folder…
      </FilePickerButton>
      {importing && (
        <p className="dropzone__status" role="status">
          Importing…
        </p>
      )}
    </DropZone>
  );
}
