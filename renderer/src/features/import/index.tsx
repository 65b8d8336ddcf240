import { useEffect, useState } from 'react';
import type { ImportFileProgress, ImportProgressEvent } from '../../../../shared/model.ts';
import { EmptyState } from '../../components/states.tsx';
import { UtcTime } from '../../components/utc-time.tsx';
import { View } from '../../components/view.tsx';
import { useCase } from '../../lib/api-context.tsx';
import { formatBytes, formatCount, formatDuration, formatRate, plural } from '../../lib/format.ts';
import { hrefFor, useRouter } from '../../lib/router.tsx';

const ACTIVE = new Set(['queued', 'running']);

/** Imports of this session, newest first: per-file progress, rates, ETA, errors, cancel. */
export default function ImportView() {
  const { imports, reloadImports, case: caseState } = useCase();
  const { location } = useRouter();
  const focusId = location.params.get('id');
  const openPath = caseState.status === 'ready' ? caseState.info.path : null;
  // Imports into other cases of this session are listed apart, after this case's.
  const ofThisCase = (i: ImportProgressEvent): boolean => i.casePath === undefined || i.casePath === openPath;
  const newestFirst = imports.slice().reverse();
  const here = newestFirst.filter(ofThisCase);
  const elsewhere = newestFirst.filter((i) => !ofThisCase(i));
  const known = focusId === null || imports.some((i) => i.importId === focusId);

  // An import can start and end between page loads or before the event stream
  // connected; ask for the list rather than wait for events that already went by.
  useEffect(() => {
    if (!known) reloadImports();
  }, [known, reloadImports]);

  return (
    <View
      title="Import"
      testId="view-import"
      description="Each file is read on a worker; the window stays responsive. Cancelling keeps what was already read."
      actions={
        <a className="button" href={hrefFor('start')}>
          Add files…
        </a>
      }
    >
      {here.length === 0 ? (
        <EmptyState title="Nothing imported into this case in this session" testId="imports-empty">
          <p>
            Drop capture files on the <a href={hrefFor('start')}>Start</a> page; their progress appears here. Inputs imported earlier are listed in
            the <a href={hrefFor('overview')}>Overview</a>.
          </p>
        </EmptyState>
      ) : (
        <div className="import-list" data-testid="imports-this-case">
          {here.map((event) => (
            <ImportCard key={event.importId} event={event} focused={event.importId === focusId} />
          ))}
        </div>
      )}
      {elsewhere.length > 0 && (
        <details className="other-imports">
          <summary>
            {plural(elsewhere.length, 'import')} into other cases in this session
          </summary>
          <div className="import-list">
            {elsewhere.map((event) => (
              <ImportCard key={event.importId} event={event} focused={false} />
            ))}
          </div>
        </details>
      )}
    </View>
  );
}

const STATE_WORDS: Record<ImportProgressEvent['state'], string> = {
  queued: 'Waiting to start',
  running: 'Reading',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

function ImportCard({ event, focused }: { event: ImportProgressEvent; focused: boolean }) {
  const { client } = useCase();
  const [cancel, setCancel] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const active = ACTIVE.has(event.state);
  const failedFiles = event.files.filter((f) => f.state === 'failed').length;

  async function onCancel(): Promise<void> {
    if (client === null) return;
    setCancel({ busy: true, error: null });
    try {
      await client.call('import.cancel', { importId: event.importId });
      setCancel({ busy: false, error: null });
    } catch (err) {
      setCancel({ busy: false, error: err instanceof Error ? err.message : String(err) });
    }
  }

  const percent = event.bytesTotal > 0 ? Math.min(100, (event.bytesRead / event.bytesTotal) * 100) : active ? 0 : 100;

  return (
    <article
      className={`import-card import-card--${event.state}${focused ? ' import-card--focused' : ''}`}
      data-testid="import-card"
      data-import-id={event.importId}
      data-state={event.state}
      aria-label={`Import of ${plural(event.fileCount, 'file')}: ${STATE_WORDS[event.state]}`}
    >
      <header className="import-card-header">
        <div>
          <h3 className="import-card-title">
            <span className={`status-pill status-pill--${event.state}`} data-testid="import-state">
              {STATE_WORDS[event.state]}
            </span>{' '}
            {plural(event.fileCount, 'file')} · <span className="num">{formatBytes(event.bytesTotal)}</span>
          </h3>
          <p className="muted small">
            {event.startedAt !== null ? (
              <>
                started <UtcTime iso={event.startedAt} />
              </>
            ) : (
              'not started yet'
            )}
            {event.finishedAt !== null && (
              <>
                {' '}
                · finished <UtcTime iso={event.finishedAt} />
              </>
            )}
          </p>
        </div>
        <div className="import-card-actions">
          {active && (
            <button type="button" className="button button--danger" onClick={() => void onCancel()} disabled={cancel.busy} data-testid="import-cancel">
              {cancel.busy ? 'Cancelling…' : 'Cancel import'}
            </button>
          )}
          {event.state === 'done' && (
            <a className="button button--primary" href={hrefFor('overview')} data-testid="import-open-overview">
              Open the overview
            </a>
          )}
        </div>
      </header>
      <div className="progress-line">
        <progress max={100} value={percent} aria-label="Bytes read of the whole import" />
        <span className="num small">
          {formatBytes(event.bytesRead)} of {formatBytes(event.bytesTotal)}
        </span>
      </div>
      {event.error !== null && (
        <p className="inline-error" role="alert" data-testid="import-error">
          {event.error}
        </p>
      )}
      {cancel.error !== null && (
        <p className="inline-error" role="alert">
          Could not cancel: {cancel.error}
        </p>
      )}
      {event.warnings.length > 0 && (
        <ul className="import-warnings">
          {event.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <table className="table import-files" data-testid="import-files">
        <colgroup>
          <col />
          <col className="import-col-status" />
          <col className="import-col-read" />
          <col className="import-col-records" />
          <col className="import-col-speed" />
          <col className="import-col-eta" />
          <col className="import-col-elapsed" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Status</th>
            <th scope="col" className="col-num">Read</th>
            <th scope="col" className="col-num">Records</th>
            <th scope="col" className="col-num">Speed</th>
            <th scope="col" className="col-num">Time left</th>
            <th scope="col" className="col-num">Elapsed</th>
          </tr>
        </thead>
        <tbody>
          {event.files.map((file) => (
            <FileRow key={file.index} file={file} />
          ))}
        </tbody>
      </table>
      {!active && failedFiles > 0 && (
        <p className="muted small">
          {plural(failedFiles, 'file')} could not be read; the others were imported.
        </p>
      )}
    </article>
  );
}

const FILE_STATE_WORDS: Record<ImportFileProgress['state'], string> = {
  queued: 'Waiting',
  running: 'Reading',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Stopped',
  skipped: 'Not started',
};

function FileRow({ file }: { file: ImportFileProgress }) {
  const isHar = file.harEntries > 0 && file.packets === 0;
  const records = isHar ? `${formatCount(file.harEntries)} entries` : `${formatCount(file.packets)} packets`;
  const percent = file.bytesTotal > 0 ? Math.min(100, (file.bytesRead / file.bytesTotal) * 100) : 0;
  return (
    <>
      <tr data-testid="import-file" data-state={file.state} data-name={file.name} className={`import-file import-file--${file.state}`}>
        <th scope="row" className="import-file-name" title={file.path}>
          {file.name}
        </th>
        <td>
          <span className={`status-pill status-pill--${file.state}`} data-testid="import-file-state">
            {FILE_STATE_WORDS[file.state]}
          </span>
        </td>
        <td className="col-num">
          <span className="num">{file.state === 'running' ? `${percent.toFixed(0)} %` : formatBytes(file.bytesRead)}</span>
          {file.state === 'running' && <progress className="mini-progress" max={100} value={percent} aria-label={`${file.name} read`} />}
        </td>
        <td className="col-num num" data-testid="import-file-records">
          {records}
        </td>
        <td className="col-num num">
          {file.state === 'running' && file.bytesPerSecond === 0 ? (
            <span className="muted">measuring…</span>
          ) : file.state === 'running' || file.state === 'done' ? (
            <>
              {formatBytes(file.bytesPerSecond)}/s
              <span className="muted"> · {formatRate(file.itemsPerSecond)} {isHar ? 'entries' : 'pkts'}</span>
            </>
          ) : (
            '—'
          )}
        </td>
        <td className="col-num num">{file.state === 'running' ? (file.etaSeconds === null ? 'estimating…' : formatDuration(file.etaSeconds * 1000)) : '—'}</td>
        <td className="col-num num">{file.elapsedMs > 0 ? formatDuration(file.elapsedMs) : '—'}</td>
      </tr>
      {file.error !== null && (
        <tr className="import-file-error-row">
          <td colSpan={7}>
            <p className={file.state === 'cancelled' ? 'muted small' : 'inline-error'} data-testid="import-file-error">
              {file.name}: {file.error}
            </p>
          </td>
        </tr>
      )}
    </>
  );
}
