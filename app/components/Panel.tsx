import { useId, type ReactNode } from 'react';

interface PanelProps {
  title: string;
  /** Extra class names, e.g. "panel--wide" for panels that span two grid columns. */
  className?: string;
  /** Shown at the right of the title (a status, a small action). */
  aside?: ReactNode;
  children: ReactNode;
  testId?: string;
  /** The element id the guided flow's step links scroll to. */
  id?: string;
}

/** A titled section of the studio grid, labelled by its heading for screen readers. */
export function Panel({ title, className, aside, children, testId, id }: PanelProps) {
  const headingId = useId();
  return (
    <section id={id} className={['panel', className].filter(Boolean).join(' ')} aria-labelledby={headingId} data-testid={testId}>
      <header className="panel__header">
        <h2 id={headingId}>{title}</h2>
        {aside}
      </header>
      <div className="panel__body">{children}</div>
    </section>
  );
}
