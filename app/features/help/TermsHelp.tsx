import { GLOSSARY, readmeHref, type GlossaryKey } from './glossary.ts';

/** "What do these mean?": one line per term shown nearby, each with a link to the README section that explains it. */
export function TermsHelp({ terms, summary, testId }: { terms: readonly GlossaryKey[]; summary: string; testId?: string }) {
  return (
    <details className="terms-help disclosure" data-testid={testId}>
      <summary>{summary}</summary>
      <dl>
        {terms.map((key) => {
          const t = GLOSSARY[key];
          return (
            <div key={key} className="terms-help__row" data-term={key}>
              <dt>{t.term}</dt>
              <dd>
                {t.line}{' '}
                <a href={readmeHref(t.section)} target="_blank" rel="noreferrer">
                  README<span className="visually-hidden">: {t.term}</span>
                </a>
              </dd>
            </div>
          );
        })}
      </dl>
    </details>
  );
}
