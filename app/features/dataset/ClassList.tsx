import type { ClassSummary } from '../../../src/index.ts';

interface ClassListProps {
  classes: readonly ClassSummary[];
  thumbnails: Record<string, string[]>;
}

/** Each class with its train / validation counts and a few of its images. */
export function ClassList({ classes, thumbnails }: ClassListProps) {
  return (
    <ul className="class-list" aria-label="Classes">
      {classes.map((c) => (
        <li key={c.name} className="class-row" data-testid="class-row" data-class={c.name} data-count={c.count} data-validation={c.validation}>
          <div className="class-row__head">
            <span className="class-row__name">{c.name}</span>
            <span className="class-row__counts">
              {c.count} images · <span title="training images">{c.train} train</span> /{' '}
              <span title="validation images">{c.validation} validation</span>
            </span>
          </div>
          <div className="class-row__thumbs">
            {(thumbnails[c.name] ?? []).map((url, i) => (
              <img key={url} src={url} alt={`${c.name} example ${i + 1}`} className="thumb" data-testid="class-thumb" loading="lazy" decoding="async" />
            ))}
          </div>
        </li>
      ))}
    </ul>
  );
}
