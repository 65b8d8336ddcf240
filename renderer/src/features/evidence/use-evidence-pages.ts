/**
 * Server-side paging of evidence rows for the virtualized table: rows are fetched a
 * page at a time as they scroll into view and kept by index; a new query (kind,
 * filters, sort) or a change of the case starts over. Only pages near the view are
 * ever requested, so a case of millions of rows costs a few pages.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EvidenceQuery, EvidenceRow } from '../../../../shared/model.ts';
import { useCase } from '../../lib/api-context.tsx';

export const PAGE_SIZE = 200;

export type PagedState =
  | { status: 'loading' }
  | { status: 'ready'; total: number; tookMs: number }
  | { status: 'error'; error: Error };

export interface EvidencePages {
  state: PagedState;
  getRow(index: number): EvidenceRow | undefined;
  ensureRange(start: number, end: number): void;
  /** Index of the row with this id among the loaded pages, or null. */
  indexOfId(id: number): number | null;
  reload(): void;
  /** Bumped when loaded rows change, so memoised consumers re-read getRow. */
  version: number;
}

export function useEvidencePages(query: Omit<EvidenceQuery, 'offset' | 'limit'>): EvidencePages {
  const { client, revision } = useCase();
  const key = JSON.stringify(query);
  const [state, setState] = useState<PagedState>({ status: 'loading' });
  const [version, setVersion] = useState(0);
  const [nonce, setNonce] = useState(0);
  const pages = useRef(new Map<number, EvidenceRow[]>());
  // The query the cached pages answer. Until the reset effect has run for a new query,
  // the cache still holds the old one's rows (another kind, other columns): they must
  // not be handed out.
  const pagesKey = useRef<string | null>(null);
  const inflight = useRef(new Set<number>());
  // Requests of an older query must not land in the new one's cache.
  const generation = useRef(0);

  const fetchPage = useCallback(
    (page: number, gen: number) => {
      if (client === null || pages.current.has(page) || inflight.current.has(page)) return;
      inflight.current.add(page);
      const params: EvidenceQuery = { ...(JSON.parse(key) as EvidenceQuery), offset: page * PAGE_SIZE, limit: PAGE_SIZE };
      client.call('evidence.query', params).then(
        (result) => {
          if (gen !== generation.current) return;
          inflight.current.delete(page);
          pages.current.set(page, result.rows);
          setState({ status: 'ready', total: result.total, tookMs: result.tookMs });
          setVersion((v) => v + 1);
        },
        (err: unknown) => {
          if (gen !== generation.current) return;
          inflight.current.delete(page);
          setState({ status: 'error', error: err instanceof Error ? err : new Error(String(err)) });
        },
      );
    },
    [client, key],
  );

  useEffect(() => {
    generation.current += 1;
    pages.current = new Map();
    pagesKey.current = key;
    inflight.current = new Set();
    setState((s) => (s.status === 'ready' ? s : { status: 'loading' }));
    setVersion((v) => v + 1);
    fetchPage(0, generation.current);
  }, [fetchPage, key, revision, nonce]);

  const ensureRange = useCallback(
    (start: number, end: number) => {
      const firstPage = Math.floor(start / PAGE_SIZE);
      const lastPage = Math.floor(Math.max(start, end - 1) / PAGE_SIZE);
      for (let p = firstPage; p <= lastPage; p++) fetchPage(p, generation.current);
    },
    [fetchPage],
  );

  const getRow = useCallback(
    (index: number): EvidenceRow | undefined => {
      if (pagesKey.current !== key) return undefined;
      const page = pages.current.get(Math.floor(index / PAGE_SIZE));
      return page?.[index % PAGE_SIZE];
    },
    [key],
  );

  const indexOfId = useCallback((id: number): number | null => {
    if (pagesKey.current !== key) return null;
    for (const [page, rows] of pages.current) {
      const at = rows.findIndex((r) => r.id === id);
      if (at >= 0) return page * PAGE_SIZE + at;
    }
    return null;
  }, [key]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);

  return { state, getRow, ensureRange, indexOfId, reload, version };
}
