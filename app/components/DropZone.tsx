import { useRef, useState, type DragEvent, type ReactNode } from 'react';

interface DropZoneProps {
  /** Names the region for assistive technology, e.g. "Dataset folder drop zone". */
  label: string;
  /** Called inside the drop event: read the DataTransfer synchronously, it is emptied afterwards. */
  onDrop: (dataTransfer: DataTransfer) => void;
  disabled?: boolean;
  testId?: string;
  /** What to show inside; keyboard users need a real button in here (dragging needs a mouse). */
  children: ReactNode;
}

/**
 * A region that accepts dropped files and highlights while something is dragged over it. It is not
 * itself focusable: it wraps a button that opens the file picker, which is the keyboard path.
 */
export function DropZone({ label, onDrop, disabled = false, testId, children }: DropZoneProps) {
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child element crossed; count them to know when we really left.
  const depth = useRef(0);

  const accepts = (e: DragEvent): boolean => !disabled && e.dataTransfer.types.includes('Files');

  return (
    <div
      role="group"
      aria-label={label}
      aria-disabled={disabled || undefined}
      className={['dropzone', over ? 'dropzone--over' : '', disabled ? 'dropzone--disabled' : ''].filter(Boolean).join(' ')}
      data-testid={testId}
      onDragEnter={(e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        depth.current += 1;
        setOver(true);
      }}
      onDragOver={(e) => {
        // Without preventDefault the browser would open the dropped file instead of letting us have it.
        e.preventDefault();
        e.dataTransfer.dropEffect = accepts(e) ? 'copy' : 'none';
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        if (!disabled) onDrop(e.dataTransfer);
      }}
    >
      {children}
    </div>
  );
}
