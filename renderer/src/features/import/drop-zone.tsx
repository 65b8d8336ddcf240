import { useState } from 'react';
import type { DragEvent } from 'react';
import type { ApiClient } from '../../lib/api-client.ts';

export interface DropZoneProps {
  client: ApiClient | null;
}

interface DroppedFile {
  name: string;
  /** Local path when the shell can tell it (Electron), else null. */
  path: string | null;
}

/**
 * Placeholder for the import view: accepts a drop and lists what was dropped. Starting
 * the import is the import feature's job; until then nothing is sent to the engine.
 */
export function DropZone({ client }: DropZoneProps) {
  const [dragging, setDragging] = useState(false);
  const [dropped, setDropped] = useState<DroppedFile[]>([]);

  function onDragOver(event: DragEvent<HTMLElement>): void {
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  }

  function onDrop(event: DragEvent<HTMLElement>): void {
    event.preventDefault();
    setDragging(false);
    const files = Array.from(event.dataTransfer.files, (file) => ({
      name: file.name,
      path: client?.pathForFile(file) ?? null,
    }));
    setDropped(files);
  }

  return (
    <section
      className={dragging ? 'drop-zone drop-zone--active' : 'drop-zone'}
      data-testid="drop-zone"
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <p className="drop-zone-hint">Drop PCAP, PCAPNG or HAR files</p>
      {dropped.length > 0 && (
        <ul className="drop-zone-files" data-testid="dropped-files">
          {dropped.map((f, i) => (
            <li key={`${i}:${f.name}`} title={f.path ?? undefined}>
              {f.name}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
