import { useMemo } from 'react';
import { FilePickerButton } from '../../components/FilePickerButton.tsx';
import { DropZone } from '../../components/DropZone.tsx';
import { Panel } from '../../components/Panel.tsx';
import { InlineError } from '../notices/InlineError.tsx';
import { stepAnchor } from '../studio/flowSteps.ts';
import { ProbabilityBars } from '../../components/ProbabilityBars.tsx';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { selectIsTrained, selectIsTraining } from '../../store/selectors.ts';
import { useStudio } from '../../store/studioStore.ts';
import { predictImage, rankPrediction } from './predictImage.ts';
import { TryRow } from './TryRow.tsx';

/** Classify one image with the freshly trained head. */
export function TryPanel() {
  const handle = useEngine();
  const trained = useStudio(selectIsTrained);
  const training = useStudio(selectIsTraining);
  const { previewUrl, fileName, prediction, predicting } = useStudio((s) => s.tryIt);
  const ranked = useMemo(() => (prediction ? rankPrediction(prediction.classes, prediction.probabilities) : []), [prediction]);
  const disabled = !trained || training;
  const table = useStudio((s) => s.dataset.table);
  if (table) {
    return (
      <Panel title="Try it" id={stepAnchor('classifier', 'try')} className="panel--try">
        {!trained && <p className="muted">Train the model first; then fill in a row to see what it predicts.</p>}
        <InlineError place="classifier/try" />
        <TryRow key={`${table.name}/${table.labelColumn}/${table.task}/${table.seed}/${table.validationFraction}`} table={table} disabled={disabled} />
      </Panel>
    );
  }

  const tryFile = (file: File | undefined): void => {
    if (file) void predictImage(handle, file);
  };

  return (
    <Panel title="Try it" id={stepAnchor('classifier', 'try')} className="panel--try">
      {!trained && <p className="muted">Train the model first; then drop an image here to see what it thinks.</p>}
      <DropZone
        label="Image to classify"
        disabled={disabled}
        testId="try-dropzone"
        onDrop={(dt) => tryFile(Array.from(dt.files).find((f) => f.type === '' || f.type.startsWith('image/')) ?? dt.files[0])}
      >
        <p className="dropzone__title">Drop an image</p>
        <FilePickerButton accept="image/*" disabled={disabled} inputTestId="try-input" onFiles={(files) => tryFile(files[0])}>
          Choose image…
        </FilePickerButton>
      </DropZone>
      <InlineError place="classifier/try" />
      {previewUrl && (
        <div className="try-result" aria-busy={predicting}>
          <img src={previewUrl} alt={fileName ? `Preview of ${fileName}` : 'Preview'} className="try-result__preview" />
          <div className="try-result__bars">
            {fileName && <p className="try-result__name">{fileName}</p>}
            {predicting && <p className="muted" role="status">Classifying…</p>}
            {ranked.length > 0 && <ProbabilityBars items={ranked} rowTestId="prediction-row" />}
          </div>
        </div>
      )}
    </Panel>
  );
}
