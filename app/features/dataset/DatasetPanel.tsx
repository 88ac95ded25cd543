import { Panel } from '../../components/Panel.tsx';
import { InlineError } from '../notices/InlineError.tsx';
import { stepAnchor } from '../studio/flowSteps.ts';
import { formatInteger } from '../../format.ts';
import { useStudio } from '../../store/studioStore.ts';
import { ClassList } from './ClassList.tsx';
import { CsvBadRowChoice } from './CsvBadRowChoice.tsx';
import { DatasetDrop } from './DatasetDrop.tsx';
import { IssueList } from './IssueList.tsx';
import { SplitControls } from './SplitControls.tsx';
import { TableSummary } from './TableSummary.tsx';

/** What to learn from: a folder of images or a CSV table; check its classes and split, see what was left out. */
export function DatasetPanel() {
  const summary = useStudio((s) => s.dataset.summary);
  const thumbnails = useStudio((s) => s.dataset.thumbnails);
  const table = useStudio((s) => s.dataset.table);

  return (
    <Panel title="Data" id={stepAnchor('classifier', 'data')} className="panel--dataset">
      <div className="dataset-grid">
        <div className="dataset-grid__side">
          <DatasetDrop />
          <CsvBadRowChoice />
          <InlineError place="classifier/data" />
          <SplitControls />
        </div>
        <div className="dataset-grid__main">
          {table ? (
            <TableSummary table={table} />
          ) : summary ? (
            <>
              <p className="dataset-title">
                <span data-testid="dataset-name" className="dataset-title__name">
                  {summary.name}
                </span>
                <span className="muted">
                  {formatInteger(summary.total)} images in {summary.classes.length} classes
                </span>
              </p>
              <ClassList classes={summary.classes} thumbnails={thumbnails} />
              <IssueList issues={summary.issues} />
            </>
          ) : (
            <p className="muted">No dataset yet. The sample dataset loads on start, or drop your own folder.</p>
          )}
        </div>
      </div>
    </Panel>
  );
}
