import { useId } from 'react';
import type { TabularDatasetSummary, TabularTask } from '../../../src/index.ts';
import { useEngine } from '../../engine/EngineProvider.tsx';
import { formatInteger } from '../../format.ts';
import { selectIsTraining } from '../../store/selectors.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';
import { loadTableModel, modelFitsTable } from '../model/modelActions.ts';
import { swallowedSpans, tableFileCounts } from './importCounts.ts';
import { importTable } from './importDataset.ts';

/**
 * A CSV as the engine read it: the label column and task (changeable: the file is read again), each
 * column's type and role, the classes or the target's range, and bad rows by line.
 */
export function TableSummary({ table }: { table: TabularDatasetSummary }) {
  const handle = useEngine();
  const labelId = useId();
  const taskId = useId();
  const busy = useStudio((s) => s.dataset.importing || s.model.loading || selectIsTraining(s));
  const swallowed = swallowedSpans(table);

  const rechoose = async (choice: { labelColumn: string; task?: TabularTask }): Promise<void> => {
    const held = handle.held.csv;
    if (!held) return;
    if (!(await importTable(handle, held.name, held.file, choice))) return;
    // Another label changes which columns are features: the MLP is rebuilt when the width changed.
    const now = studioStore.getState().dataset.table;
    if (now && !modelFitsTable(now.featureCount)) await loadTableModel(handle);
  };

  return (
    <div className="table-summary" data-testid="table-summary">
      <p className="dataset-title">
        <span data-testid="dataset-name" className="dataset-title__name">
          {table.name}
        </span>
        <span className="muted" data-testid="table-counts">
          {formatInteger(table.total)} rows ({formatInteger(table.skippedRows)} skipped), {table.featureCount} features
        </span>
      </p>
      <p className="muted" data-testid="table-file-counts">
        {tableFileCounts(table)}
      </p>
      {swallowed.length > 0 && (
        <div className="notice notice--warn" role="alert" data-testid="table-swallowed">
          {swallowed.map((span) => (
            <p key={span.line} data-line={span.line} data-end-line={span.endLine}>
              {span.message}
            </p>
          ))}
          <p>To stop the import at such a row instead, choose “Stop the import” for a bad row and import the file again.</p>
        </div>
      )}
      <div className="table-summary__choices">
        <div className="field">
          <label htmlFor={labelId}>Label column</label>
          <div className="field__control">
            <select id={labelId} value={table.labelColumn} disabled={busy} data-testid="table-label" onChange={(e) => void rechoose({ labelColumn: e.target.value })}>
              {table.columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="field">
          <label htmlFor={taskId}>Task</label>
          <div className="field__control">
            <select
              id={taskId}
              value={table.task}
              disabled={busy}
              data-testid="table-task"
              onChange={(e) => void rechoose({ labelColumn: table.labelColumn, task: e.target.value as TabularTask })}
            >
              <option value="classification">Classification</option>
              <option value="regression">Regression</option>
            </select>
          </div>
        </div>
      </div>
      {table.task === 'classification' ? (
        <p className="muted" data-testid="table-classes">
          {table.classes.length} classes: {table.classes.map((c) => `${c.name} (${c.count})`).join(', ')}
        </p>
      ) : (
        table.target && (
          <p className="muted" data-testid="table-target">
            Target {table.labelColumn}: {table.target.min.toPrecision(4)} to {table.target.max.toPrecision(4)}, mean {table.target.mean.toPrecision(4)}
          </p>
        )
      )}
      <div className="table-scroll">
        <table className="data-table" data-testid="table-columns">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Type</th>
              <th scope="col">Role</th>
              <th scope="col" className="num">Distinct</th>
              <th scope="col" className="num">Missing</th>
              <th scope="col" className="num">Features</th>
            </tr>
          </thead>
          <tbody>
            {table.columns.map((c) => (
              <tr key={c.name} data-testid="table-column" data-column={c.name} data-role={c.role}>
                <th scope="row">{c.name}</th>
                <td>{c.type}</td>
                <td>{c.role}</td>
                <td className="num">{formatInteger(c.distinct)}</td>
                <td className="num">{formatInteger(c.missing)}</td>
                <td className="num">{c.features}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {table.issues.length > 0 && (
        <section className="issues" aria-label="Table issues">
          <h3>{table.issues.length === 1 ? '1 note' : `${table.issues.length} notes`} on the file</h3>
          <ul className="issues__list" tabIndex={0}>
            {table.issues.map((issue, i) => (
              <li key={`${issue.kind}-${issue.line}-${i}`} data-testid="table-issue" data-kind={issue.kind} data-line={issue.line ?? ''}>
                <span className="tag tag--warn">{issue.kind.replace(/-/g, ' ')}</span> {issue.message}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
