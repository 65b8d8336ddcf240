import { useState } from 'react';
import type { CaseInfo, RecentCase } from '../../../../shared/model.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { UtcTime } from '../../components/utc-time.tsx';
import { Panel, View } from '../../components/view.tsx';
import { addFiles, canAddFiles } from '../../lib/add-files.ts';
import { useApiQuery, useCase } from '../../lib/api-context.tsx';
import { formatCount, plural } from '../../lib/format.ts';
import { hrefFor, useRouter } from '../../lib/router.tsx';
import { DropZone } from './drop-zone.tsx';
import type { DropZoneStatus } from './drop-zone.tsx';

/** The first page: add files, see the open case, reopen a recent one. */
export default function StartView() {
  const { client, case: caseState, refresh } = useCase();
  const { navigate } = useRouter();
  const [status, setStatus] = useState<DropZoneStatus>({ state: 'idle' });
  const [caseAction, setCaseAction] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });

  if (client === null) return null;
  const accepting = canAddFiles(client);

  async function onFiles(files: File[]): Promise<void> {
    if (client === null) return;
    setStatus({ state: 'sending', names: files.map((f) => f.name), progress: null });
    try {
      const { importId } = await addFiles(client, files, {
        hasCase: caseState.status === 'ready',
        onUploadProgress: (progress) => setStatus({ state: 'sending', names: files.map((f) => f.name), progress }),
      });
      setStatus({ state: 'idle' });
      refresh();
      navigate('import', { id: importId });
    } catch (err) {
      setStatus({ state: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  }

  async function caseCall(run: () => Promise<unknown>): Promise<void> {
    setCaseAction({ busy: true, error: null });
    try {
      await run();
      setCaseAction({ busy: false, error: null });
      refresh();
    } catch (err) {
      setCaseAction({ busy: false, error: err instanceof Error ? err.message : String(err) });
    }
  }

  const newCase = (): Promise<void> => caseCall(() => client.call('case.create', {}));
  const openCase = (path: string): Promise<void> =>
    caseCall(async () => {
      await client.call('case.open', { path });
      navigate('overview');
    });

  return (
    <View
      title="Start"
      testId="view-start"
      description="Add captures to the open case, or start a new one. Each file is hashed (SHA-256) when it is read."
      actions={
        <button type="button" className="button" onClick={() => void newCase()} disabled={caseAction.busy} data-testid="new-case">
          New case
        </button>
      }
    >
      {accepting ? (
        <DropZone onFiles={(files) => void onFiles(files)} status={status} disabled={status.state === 'sending'} />
      ) : (
        <EmptyState title="This window cannot receive files">
          <p>The shell behind it offers no way to add files. Use the desktop app or the web host.</p>
        </EmptyState>
      )}
      {caseAction.error !== null && (
        <p className="inline-error" role="alert" data-testid="case-action-error">
          {caseAction.error}
        </p>
      )}
      <div className="start-panels">
        <Panel title="Open case" testId="current-case">
          {caseState.status === 'loading' && <LoadingState what="the case" compact />}
          {caseState.status === 'none' && (
            <EmptyState title="No case yet" compact>
              <p>Dropping files starts one. A case is one file that keeps every record with a pointer back to its capture.</p>
            </EmptyState>
          )}
          {caseState.status === 'error' && <ErrorState what="the case" error={caseState.error} onRetry={refresh} compact />}
          {caseState.status === 'ready' && <CurrentCase info={caseState.info} />}
        </Panel>
        <RecentCases onOpen={(path) => void openCase(path)} busy={caseAction.busy} currentPath={caseState.status === 'ready' ? caseState.info.path : null} />
      </div>
    </View>
  );
}

function CurrentCase({ info }: { info: CaseInfo }) {
  const done = info.inputs.filter((i) => i.status === 'done').length;
  return (
    <div className="current-case">
      <dl className="facts">
        <dt>Title</dt>
        <dd data-testid="current-case-title">{info.title}</dd>
        <dt>Case file</dt>
        <dd className="mono break">
          <span data-testid="current-case-path">{info.path}</span> <CopyButton value={info.path} label="Copy path" />
        </dd>
        <dt>Created</dt>
        <dd>
          <UtcTime iso={info.created} /> <span className="muted">with {info.createdWith}</span>
        </dd>
        <dt>Inputs</dt>
        <dd className="num" data-testid="current-case-inputs">
          {plural(info.inputs.length, 'input')}
          {done !== info.inputs.length && <span className="muted"> ({formatCount(done)} done)</span>}
        </dd>
        <dt>Records</dt>
        <dd className="num">
          {formatCount(info.counts.packets)} packets · {formatCount(info.counts.harEntries)} HAR entries · {formatCount(info.counts.http)} HTTP ·{' '}
          {formatCount(info.counts.dns)} DNS · {formatCount(info.counts.tls)} TLS
        </dd>
      </dl>
      {info.inputs.length > 0 && (
        <p>
          <a className="button button--primary" href={hrefFor('overview')} data-testid="go-overview">
            Go to the overview
          </a>
        </p>
      )}
    </div>
  );
}

const RECENT_SHOWN = 6;

function RecentCases({ onOpen, busy, currentPath }: { onOpen(path: string): void; busy: boolean; currentPath: string | null }) {
  const query = useApiQuery('case.recent', undefined);
  const { state, reload } = query;
  const [all, setAll] = useState(false);
  return (
    <Panel title="Recent cases" testId="recent-cases">
      {state.status === 'loading' && <LoadingState what="recent cases" compact />}
      {state.status === 'error' && <ErrorState what="recent cases" error={state.error} onRetry={reload} compact />}
      {state.status === 'ready' && state.data.length === 0 && (
        <EmptyState title="No recent cases" compact>
          <p>Cases this app opened before are listed here.</p>
        </EmptyState>
      )}
      {state.status === 'ready' && state.data.length > 0 && (
        <ul className="recent-list">
          {(all ? state.data : state.data.slice(0, RECENT_SHOWN)).map((c: RecentCase) => (
            <li key={c.path} className="recent-item">
              <div>
                <span className="recent-title">{c.title}</span>
                <span className="recent-path mono">{c.path}</span>
                <span className="muted small">
                  opened <UtcTime iso={c.openedAt} />
                  {!c.exists && ' · file missing'}
                </span>
              </div>
              {c.path === currentPath ? (
                <span className="badge">open</span>
              ) : (
                <button type="button" className="button button--small" disabled={busy || !c.exists} onClick={() => onOpen(c.path)}>
                  Open
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {state.status === 'ready' && state.data.length > RECENT_SHOWN && (
        <button type="button" className="button button--quiet button--small" onClick={() => setAll(!all)} aria-expanded={all}>
          {all ? 'Show fewer' : `Show all ${state.data.length} recent cases`}
        </button>
      )}
    </Panel>
  );
}
