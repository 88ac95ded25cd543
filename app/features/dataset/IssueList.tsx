import type { DatasetIssue } from '../../../src/index.ts';

const KIND_LABELS: Record<DatasetIssue['kind'], string> = {
  'not-an-image': 'not an image',
  'corrupt-image': 'unreadable',
  'too-few-images': 'too few images',
  'no-class-folder': 'no class folder',
  'csv-bad-row': 'bad CSV row',
  'csv-missing-file': 'listed, file missing',
  'csv-unlisted-image': 'not in the CSV',
  'csv-duplicate-row': 'duplicate CSV row',
};

/** Files and classes the import left out, and why (file names are shown as text, never as markup). */
export function IssueList({ issues }: { issues: readonly DatasetIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <section className="issues" aria-label="Import issues">
      <h3>
        {issues.length} {issues.length === 1 ? 'item was' : 'items were'} left out
      </h3>
      {/* A long list scrolls inside its box instead of pushing the panel off screen. */}
      <ul className="issues__list" tabIndex={0}>
        {issues.map((issue, i) => (
          <li key={`${issue.path}-${issue.kind}-${i}`} data-testid="dataset-issue" data-kind={issue.kind}>
            <span className={`tag tag--warn`}>{KIND_LABELS[issue.kind] ?? issue.kind}</span> {issue.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
