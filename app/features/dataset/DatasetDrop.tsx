import { FilePickerButton } from '../../components/FilePickerButton.tsx';
import { DropZone } from '../../components/DropZone.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { describeError } from '../../engine/describeError.ts';
import { selectIsTraining } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { collectFromDrop, collectFromFileList, type CollectedDataset } from './collectFiles.ts';
import { snapshotDrop } from './dropSnapshot.ts';
import { loadBuiltinModel, loadTableModel, modelFitsTable } from '../model/modelActions.ts';
import { importDataset, importTable } from './importDataset.ts';

/** Where the sample table lives, relative to the page. */
export const SAMPLE_TABLE_PATH = 'datasets/plants-sample.csv';

const isTable = (path: string): boolean => /\.(csv|tsv)$/i.test(path);

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
      studioStore.getState().pushError(describeError('Could not read the dropped folder', error), 'classifier/data');
      return;
    }
    const tables = collected.files.filter((f) => isTable(f.path));
    // One CSV alone is a table; a CSV beside images is their labels (file,label) and stays an image dataset.
    if (tables.length === 1 && tables.length === collected.files.length) {
      const csv = tables[0]!;
      await loadTable(csv.path.split('/').pop()!.replace(/\.(csv|tsv)$/i, ''), csv.file);
      return;
    }
    // Images need an image model: leave a table's MLP for the built-in model first.
    if (studioStore.getState().model.summary?.inputKind === 'vector' && !(await loadBuiltinModel(handle))) return;
    await importDataset(handle, collected.name, collected.files);
  };

  const loadTable = async (name: string, file: Blob): Promise<void> => {
    if (!(await importTable(handle, name, file))) return;
    const table = studioStore.getState().dataset.table;
    if (table && !modelFitsTable(table.featureCount)) await loadTableModel(handle);
  };

  const loadSampleTable = async (): Promise<void> => {
    try {
      const res = await fetch(new URL(SAMPLE_TABLE_PATH, document.baseURI));
      if (!res.ok) throw new Error(`the server answered HTTP ${res.status}`);
      await loadTable('plants-sample', await res.blob());
    } catch (error) {
      studioStore.getState().pushError(describeError('Could not load the sample table', error), 'classifier/data');
    }
  };

  return (
    <DropZone label="Dataset folder" onDrop={(dt) => void load(collectFromDrop(snapshotDrop(dt)))} disabled={disabled} testId="dataset-dropzone">
      <p className="dropzone__title">Drop a dataset folder or a CSV here</p>
      <p className="dropzone__hint">
        Images: one sub-folder per class, e.g. <code>shapes/ring/001.png</code>. A table: one <code>.csv</code> with a header row. Nothing leaves this tab.
      </p>
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
            }, 'classifier/data');
          }
        }}
      >
        Choose folder…
      </FilePickerButton>
      <FilePickerButton
        accept=".csv,.tsv,text/csv,text/tab-separated-values"
        disabled={disabled}
        inputTestId="dataset-csv-input"
        onFiles={(files) => {
          const file = files[0];
          if (file) void loadTable(file.name.replace(/\.(csv|tsv)$/i, ''), file);
        }}
      >
        Choose CSV…
      </FilePickerButton>
      <button type="button" className="button" disabled={disabled} data-testid="dataset-sample-table" onClick={() => void loadSampleTable()}>
        Sample table
      </button>
      {importing && (
        <p className="dropzone__status" role="status">
          Importing…
        </p>
      )}
    </DropZone>
  );
}
