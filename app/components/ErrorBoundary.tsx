import { Component, type ErrorInfo, type ReactNode } from 'react';

interface ErrorBoundaryProps {
  children: ReactNode;
}

interface ErrorBoundaryState {
  failed: boolean;
}

/**
 * Last line of defence: a rendering bug shows a calm message and a way back instead of a blank page.
 * The details go to the console for developers; the page never shows a stack trace.
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { failed: false };

  static getDerivedStateFromError(): ErrorBoundaryState {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('Tabtune: the interface crashed', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="crash" role="alert" data-testid="error-banner">
        <h1>Tabtune hit a problem</h1>
        <p>Part of the page stopped working. Your files never left this tab; reloading starts the studio again.</p>
        <div className="crash__actions">
          <button type="button" className="button" onClick={() => this.setState({ failed: false })}>
            Try again
          </button>
          <button type="button" className="button button--primary" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      </div>
    );
  }
}
