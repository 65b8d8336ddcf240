import { useId, useRef, useState } from 'react';
import type { ChangeEvent, DragEvent } from 'react';
import { formatBytes } from '../../lib/format.ts';
import type { UploadProgress } from '../../lib/add-files.ts';

export type DropZoneStatus =
  | { state: 'idle' }
  | { state: 'sending'; names: string[]; progress: UploadProgress | null }
  | { state: 'failed'; message: string };

/**
 * Where capture files come in: drag them onto it, or pick them with the file dialog
 * (a real `<input type=file multiple>`, reachable by keyboard). The format is decided
 * by the engine from the bytes, so the picker does not filter by extension.
 */
export function DropZone({ onFiles, status, disabled }: { onFiles(files: File[]): void; status: DropZoneStatus; disabled: boolean }) {
  const [dragDepth, setDragDepth] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const hintId = useId();

  function hasFiles(event: DragEvent<HTMLElement>): boolean {
    return Array.from(event.dataTransfer.types).includes('Files');
  }

  function onDragEnter(event: DragEvent<HTMLElement>): void {
    if (!hasFiles(event)) return;
    event.preventDefault();
    // Entering a child element fires enter before the parent's leave; count, not flag.
    setDragDepth((d) => d + 1);
  }

  function onDragOver(event: DragEvent<HTMLElement>): void {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
  }

  function onDrop(event: DragEvent<HTMLElement>): void {
    event.preventDefault();
    setDragDepth(0);
    if (disabled) return;
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0) onFiles(files);
  }

  function onPick(event: ChangeEvent<HTMLInputElement>): void {
    const files = Array.from(event.target.files ?? []);
    // Clear it so picking the same file again still fires change.
    event.target.value = '';
    if (files.length > 0) onFiles(files);
  }

  const active = dragDepth > 0;
  const sending = status.state === 'sending';

  return (
    <section
      className={`drop-zone${active ? ' drop-zone--active' : ''}${sending ? ' drop-zone--busy' : ''}`}
      data-testid="drop-zone"
      data-state={active ? 'dragging' : status.state}
      aria-describedby={hintId}
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={() => setDragDepth((d) => Math.max(0, d - 1))}
      onDrop={onDrop}
    >
      <span className="drop-zone-icon" aria-hidden="true" />
      <p className="drop-zone-hint">Drop PCAP, PCAPNG or HAR files</p>
      <p className="drop-zone-sub" id={hintId}>
        The format is recognised from the file's content. Originals are read, hashed and never changed.
      </p>
      <input
        ref={inputRef}
        id={inputId}
        className="visually-hidden"
        type="file"
        multiple
        disabled={disabled}
        onChange={onPick}
        data-testid="file-input"
      />
      <label htmlFor={inputId} className={`button button--primary${disabled ? ' button--disabled' : ''}`}>
        Choose files…
      </label>
      {status.state === 'sending' && (
        <div className="drop-zone-status" role="status" data-testid="drop-zone-sending">
          <p>
            Sending {status.names.length === 1 ? status.names[0] : `${status.names.length} files`}
            {status.progress !== null && status.progress.total > 0 && (
              <span className="num">
                {' '}
                — {formatBytes(status.progress.loaded)} of {formatBytes(status.progress.total)}
              </span>
            )}
          </p>
          {status.progress !== null && status.progress.total > 0 && (
            <progress max={status.progress.total} value={status.progress.loaded} aria-label="Upload progress" />
          )}
        </div>
      )}
      {status.state === 'failed' && (
        <p className="drop-zone-error" role="alert" data-testid="drop-zone-error">
          {status.message}
        </p>
      )}
    </section>
  );
}
