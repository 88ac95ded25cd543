import { useId } from 'react';
import type { BadRowPolicy } from '../../../src/index.ts';
import { studioStore, useStudio } from '../../store/studioStore.ts';

/** What a CSV import does with a malformed row (an unclosed quote, a wrong field count): the user's choice. */
export function CsvBadRowChoice() {
  const id = useId();
  const policy = useStudio((s) => s.dataset.csvBadRows);
  const busy = useStudio((s) => s.dataset.importing);
  return (
    <div className="field">
      <label htmlFor={id}>A bad row in a CSV</label>
      <div className="field__control">
        <select id={id} value={policy} disabled={busy} data-testid="csv-bad-rows" onChange={(e) => studioStore.getState().setCsvBadRows(e.target.value as BadRowPolicy)}>
          <option value="skip">Skip it and list it</option>
          <option value="fail">Stop the import</option>
        </select>
      </div>
    </div>
  );
}
