import { useRef, type ReactNode } from 'react';

export interface FilePickerButtonProps {
  children: ReactNode;
  /** Called with the chosen files (possibly none: an empty folder lists nothing). */
  onFiles: (files: File[]) => void;
  accept?: string;
  multiple?: boolean;
  /** A folder picker (files come with webkitRelativePath). */
  directory?: boolean;
  disabled?: boolean;
  busy?: boolean;
  /** Test id of the hidden <input type="file"> (tests set files on it directly). */
  inputTestId: string;
}

/**
 * A real button that opens the browser's file (or folder) picker: keyboard users reach the button,
 * while the native input stays hidden and out of the tab order.
 */
export function FilePickerButton({ children, onFiles, accept, multiple, directory, disabled, busy, inputTestId }: FilePickerButtonProps) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="button" disabled={disabled} aria-busy={busy} onClick={() => input.current?.click()}>
        {children}
      </button>
      <input
        ref={input}
        type="file"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        accept={accept}
        multiple={multiple || directory}
        {...(directory ? { webkitdirectory: '' } : {})}
        disabled={disabled}
        data-testid={inputTestId}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          // Cleared so that choosing the same file or folder again (after editing it) still fires a change.
          e.target.value = '';
          onFiles(files);
        }}
      />
    </>
  );
}
