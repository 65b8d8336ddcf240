/**
 * The API client and the open case, shared by every view. Views never talk to a
 * transport themselves: they read `useCase()` and fetch with `useApiQuery()`, which
 * refetches whenever the case changes (opened, created, rows imported, labels set).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { ApiMethod, ApiParams, ApiResult } from '../../../shared/api.ts';
import type { CaseInfo, ImportProgressEvent } from '../../../shared/model.ts';
import { ApiCallError } from './api-client.ts';
import type { ApiClient, ParamArgs } from './api-client.ts';

export type CaseState =
  | { status: 'loading' }
  | { status: 'none' }
  | { status: 'ready'; info: CaseInfo }
  | { status: 'error'; error: Error };

export interface CaseContextValue {
  client: ApiClient | null;
  case: CaseState;
  /** Bumped whenever the case's data may have changed; queries depend on it. */
  revision: number;
  /** Imports of this session by id, in the shape of their last progress event. */
  imports: ImportProgressEvent[];
  /** Fetch case.info again (and make every query refetch). */
  refresh(): void;
  /** Fetch import.list again, for an import whose events this page may have missed. */
  reloadImports(): void;
}

const CaseContext = createContext<CaseContextValue | null>(null);

/** Arguments of a call, whether or not the method takes params. */
export function callArgs<M extends ApiMethod>(params: ApiParams<M> | undefined): ParamArgs<M> {
  return (params === undefined ? [] : [params]) as ParamArgs<M>;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** True for the error a method gives when the case has no data for it yet or the build lacks it. */
export function isNotImplemented(err: unknown): boolean {
  return err instanceof ApiCallError && err.code === 'not-implemented';
}

export function CaseProvider({ client, children }: { client: ApiClient | null; children: ReactNode }) {
  const [caseState, setCaseState] = useState<CaseState>(client === null ? { status: 'none' } : { status: 'loading' });
  const [revision, setRevision] = useState(0);
  const [imports, setImports] = useState<ImportProgressEvent[]>([]);
  const fetchSeq = useRef(0);

  const loadCase = useCallback(() => {
    if (client === null) return;
    const seq = ++fetchSeq.current;
    client.call('case.info').then(
      (info) => {
        if (seq === fetchSeq.current) setCaseState({ status: 'ready', info });
      },
      (err: unknown) => {
        if (seq !== fetchSeq.current) return;
        if (err instanceof ApiCallError && err.code === 'no-case') setCaseState({ status: 'none' });
        else setCaseState({ status: 'error', error: asError(err) });
      },
    );
  }, [client]);

  const refresh = useCallback(() => {
    loadCase();
    setRevision((r) => r + 1);
  }, [loadCase]);

  const reloadImports = useCallback(() => {
    if (client === null) return;
    client.call('import.list').then(
      (list) => setImports((current) => mergeImports(current, list)),
      () => {
        // An older shell without import.list: live events still fill the list.
      },
    );
  }, [client]);

  useEffect(() => {
    if (client === null) return;
    loadCase();
    reloadImports();
    const offProgress = client.on('import.progress', (event) => {
      setImports((current) => mergeImports(current, [event]));
    });
    const offChanged = client.on('case.changed', () => refresh());
    return () => {
      offProgress();
      offChanged();
    };
  }, [client, loadCase, refresh, reloadImports]);

  // An import that ends may have committed rows without a separate case.changed.
  const finishedKey = imports
    .filter((i) => i.state !== 'queued' && i.state !== 'running')
    .map((i) => i.importId)
    .join(',');
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    refresh();
  }, [finishedKey, refresh]);

  const value = useMemo<CaseContextValue>(
    () => ({ client, case: caseState, revision, imports, refresh, reloadImports }),
    [client, caseState, revision, imports, refresh, reloadImports],
  );
  return <CaseContext.Provider value={value}>{children}</CaseContext.Provider>;
}

function mergeImports(current: ImportProgressEvent[], incoming: ImportProgressEvent[]): ImportProgressEvent[] {
  if (incoming.length === 0) return current;
  const next = current.slice();
  for (const event of incoming) {
    const at = next.findIndex((i) => i.importId === event.importId);
    if (at < 0) next.push(event);
    else next[at] = event;
  }
  return next;
}

/** The client, the open case and this session's imports. */
export function useCase(): CaseContextValue {
  const value = useContext(CaseContext);
  if (value === null) throw new Error('useCase outside <CaseProvider>');
  return value;
}

export type QueryState<R> =
  | { status: 'loading'; data: null; error: null }
  | { status: 'ready'; data: R; error: null; refreshing: boolean }
  | { status: 'error'; data: R | null; error: Error };

export interface QueryResult<R> {
  state: QueryState<R>;
  reload(): void;
}

/**
 * Call an API method and keep its answer; call again when the params (compared as
 * JSON), the client or the case revision change. The previous answer stays on screen
 * while a new one loads, so filtering does not flash an empty view. `enabled: false`
 * keeps the query idle (loading state) until its inputs exist.
 */
export function useApiQuery<M extends ApiMethod>(
  method: M,
  params: ApiParams<M> | undefined,
  options: { enabled?: boolean } = {},
): QueryResult<ApiResult<M>> {
  const { client, revision } = useCase();
  const enabled = options.enabled !== false && client !== null;
  const key = JSON.stringify(params ?? null);
  const [state, setState] = useState<QueryState<ApiResult<M>>>({ status: 'loading', data: null, error: null });
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    if (!enabled || client === null) return;
    let live = true;
    setState((s) => (s.status === 'ready' ? { ...s, refreshing: true } : s));
    const parsed = JSON.parse(key) as ApiParams<M> | null;
    client.call(method, ...callArgs<M>(parsed ?? undefined)).then(
      (data) => {
        if (live) setState({ status: 'ready', data, error: null, refreshing: false });
      },
      (err: unknown) => {
        if (live) setState((s) => ({ status: 'error', data: s.data, error: asError(err) }));
      },
    );
    return () => {
      live = false;
    };
  }, [client, enabled, method, key, revision, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { state, reload };
}
