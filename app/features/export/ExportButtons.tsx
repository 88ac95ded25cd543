import { useState } from 'react';

export interface ExportAction {
  key: string;
  label: string;
  testId: string;
  primary?: boolean;
  title?: string;
  run: () => Promise<void>;
}

/** A row of download buttons for any task: one works at a time, and says so while it prepares. */
export function ExportButtons({ actions, disabled }: { actions: readonly ExportAction[]; disabled: boolean }) {
  const [working, setWorking] = useState<string | null>(null);
  const run = async (action: ExportAction): Promise<void> => {
    setWorking(action.key);
    try {
      await action.run();
    } finally {
      setWorking(null);
    }
  };
  return (
    <div className="export-buttons">
      {actions.map((action) => (
        <button
          key={action.key}
          type="button"
          className={action.primary ? 'button button--primary' : 'button'}
          data-testid={action.testId}
          disabled={disabled || working !== null}
          aria-busy={working === action.key}
          title={action.title}
          onClick={() => void run(action)}
        >
          {working === action.key ? 'Preparing…' : action.label}
        </button>
      ))}
    </div>
  );
}
