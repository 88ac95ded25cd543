interface ErrorBannerProps {
  title: string;
  message: string;
  /** How many older errors wait behind this one. */
  more: number;
  onDismiss: () => void;
  /** Its own alert role; false inside a live region that is already one. */
  live?: boolean;
}

/** The latest error, as text (never HTML, never a stack trace), until the user dismisses it. */
export function ErrorBanner({ title, message, more, onDismiss, live = true }: ErrorBannerProps) {
  return (
    <div className="banner banner--error" role={live ? 'alert' : undefined} data-testid="error-banner">
      <div className="banner__text">
        <strong>{title}</strong>
        {/* Keeps title and message apart when read as one string (screen readers, copy and paste). */}
        <span className="visually-hidden">: </span>
        <span>{message}</span>
        {more > 0 && <span className="banner__more">{more} more below; dismiss to see them.</span>}
      </div>
      <button type="button" className="button button--ghost" onClick={onDismiss} aria-label={`Dismiss: ${title}`}>
        Dismiss
      </button>
    </div>
  );
}
