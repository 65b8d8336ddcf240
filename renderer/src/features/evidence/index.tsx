import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CaseCounts, EvidenceKind, EvidenceQuery, EvidenceSortKey } from '../../../../shared/model.ts';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { TabList } from '../../components/tab-list.tsx';
import { VirtualTable } from '../../components/virtual-table.tsx';
import type { SortState } from '../../components/virtual-table.tsx';
import { View } from '../../components/view.tsx';
import { useCase } from '../../lib/api-context.tsx';
import { formatCount } from '../../lib/format.ts';
import { useRouter } from '../../lib/router.tsx';
import { COLUMNS } from './columns.tsx';
import { DetailPane } from './detail-pane.tsx';
import { useEvidencePages } from './use-evidence-pages.ts';

const KINDS: Array<{ kind: EvidenceKind; label: string; count: keyof CaseCounts }> = [
  { kind: 'http', label: 'HTTP', count: 'http' },
  { kind: 'dns', label: 'DNS', count: 'dns' },
  { kind: 'tls', label: 'TLS hellos', count: 'tls' },
  { kind: 'flow', label: 'Flows', count: 'flows' },
  { kind: 'anomaly', label: 'Anomalies', count: 'anomalies' },
];

const SORT_KEYS: readonly EvidenceSortKey[] = ['ts', 'host', 'src', 'dst', 'size'];

function parseKind(value: string | null): EvidenceKind {
  return KINDS.some((k) => k.kind === value) ? (value as EvidenceKind) : 'http';
}

function parseSort(value: string | null): EvidenceQuery['sort'] | undefined {
  if (value === null) return undefined;
  const [by, dir] = value.split(':');
  if (!(SORT_KEYS as readonly string[]).includes(by) || (dir !== 'asc' && dir !== 'desc')) return undefined;
  return { by: by as EvidenceSortKey, dir };
}

function positiveInt(value: string | null): number | undefined {
  if (value === null) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Every record of the case, kind by kind, filterable, with the full detail of one. */
export default function EvidenceView() {
  const { case: caseState } = useCase();
  const { location, setParams } = useRouter();
  const params = location.params;
  const kind = parseKind(params.get('kind'));
  const text = params.get('q') ?? '';
  const host = params.get('host') ?? undefined;
  const ip = params.get('ip') ?? undefined;
  const input = positiveInt(params.get('input'));
  const selectedId = positiveInt(params.get('id'));
  const sort = parseSort(params.get('sort'));

  const query = useMemo<Omit<EvidenceQuery, 'offset' | 'limit'>>(() => {
    const q: Omit<EvidenceQuery, 'offset' | 'limit'> = { kind };
    if (text.trim() !== '') q.text = text.trim();
    if (host !== undefined) q.host = host;
    if (ip !== undefined) q.ip = ip;
    if (input !== undefined) q.input = input;
    if (sort !== undefined) q.sort = sort;
    return q;
  }, [kind, text, host, ip, input, sort]);

  const pages = useEvidencePages(query);
  const counts = caseState.status === 'ready' ? caseState.info.counts : null;
  const inputs = caseState.status === 'ready' ? caseState.info.inputs : [];

  // A keyboard jump (End, Page Down) can land on a row whose page is not loaded yet:
  // the table scrolls there, the page loads, and then the row becomes the selection.
  const [pending, setPending] = useState<{ index: number; key: string } | null>(null);
  const queryKey = JSON.stringify(query);
  const pendingIndex = pending !== null && pending.key === queryKey ? pending.index : null;
  const selectedIndex = pendingIndex ?? (selectedId === undefined ? null : pages.indexOfId(selectedId));

  const select = useCallback(
    (index: number) => {
      const row = pages.getRow(index);
      if (row !== undefined) {
        setPending(null);
        setParams({ id: row.id }, { replace: true });
      } else {
        setPending({ index, key: queryKey });
      }
    },
    [pages, setParams, queryKey],
  );

  useEffect(() => {
    if (pendingIndex === null) return;
    const row = pages.getRow(pendingIndex);
    if (row === undefined) return;
    setPending(null);
    setParams({ id: row.id }, { replace: true });
  }, [pendingIndex, pages, pages.version, setParams]);

  const filtersActive = text !== '' || host !== undefined || ip !== undefined || input !== undefined;

  return (
    <View title="Evidence" testId="view-evidence" wide description="Every record the import produced, each with its file, frame and time.">
      <KindTabs kind={kind} counts={counts} onChange={(k) => setParams({ kind: k, id: undefined, sort: undefined }, { replace: false })} />
      <div className="filter-bar" role="search">
        <SearchBox key={kind} value={text} onChange={(q) => setParams({ q, id: undefined }, { replace: true })} kind={kind} />
        {host !== undefined && <FilterChip label="Host" value={host} onRemove={() => setParams({ host: undefined })} />}
        {ip !== undefined && <FilterChip label="Address" value={ip} onRemove={() => setParams({ ip: undefined })} />}
        {inputs.length > 1 && (
          <label className="select-label">
            Input{' '}
            <select value={input ?? ''} onChange={(e) => setParams({ input: e.target.value === '' ? undefined : e.target.value, id: undefined })} data-testid="input-filter">
              <option value="">all inputs</option>
              {inputs.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.fileName}
                </option>
              ))}
            </select>
          </label>
        )}
        {input !== undefined && inputs.length <= 1 && <FilterChip label="Input" value={String(input)} onRemove={() => setParams({ input: undefined })} />}
        <span className="filter-result num" data-testid="evidence-total" data-total={pages.state.status === 'ready' ? pages.state.total : ''} aria-live="polite">
          {pages.state.status === 'ready' && (
            <>
              {formatCount(pages.state.total)} {pages.state.total === 1 ? 'row' : 'rows'}
              {counts !== null && filtersActive && <span className="muted"> of {formatCount(counts[KINDS.find((k) => k.kind === kind)?.count ?? 'http'])}</span>}
              <span className="muted small"> · {pages.state.tookMs.toFixed(0)} ms</span>
            </>
          )}
        </span>
      </div>
      <div className={`evidence-split${selectedId !== undefined ? ' evidence-split--detail' : ''}`}>
        <div className="evidence-table" role="tabpanel" aria-label={`${kind} records`}>
          {pages.state.status === 'loading' && <LoadingState what="records" />}
          {pages.state.status === 'error' && <ErrorState what="records" error={pages.state.error} onRetry={pages.reload} />}
          {pages.state.status === 'ready' && pages.state.total === 0 && (
            <EmptyState title={filtersActive ? 'No records match these filters' : `No ${KINDS.find((k) => k.kind === kind)?.label ?? ''} records in this case`} testId="evidence-empty">
              {filtersActive ? <p>Remove a filter or change the search words.</p> : <p>The inputs contain no records of this kind.</p>}
            </EmptyState>
          )}
          {pages.state.status === 'ready' && pages.state.total > 0 && (
            <VirtualTable
              label={`${KINDS.find((k) => k.kind === kind)?.label ?? kind} records`}
              columns={COLUMNS[kind]}
              total={pages.state.total}
              getRow={pages.getRow}
              onRangeChange={pages.ensureRange}
              rowKey={(r) => `${r.kind}:${r.id}`}
              selectedIndex={selectedIndex}
              onSelect={select}
              onActivate={select}
              sort={kind === 'anomaly' ? undefined : (sort ?? { by: 'ts', dir: 'asc' })}
              onSort={kind === 'anomaly' ? undefined : (s: SortState) => setParams({ sort: `${s.by}:${s.dir}` }, { replace: true })}
              testId="evidence-table"
              rowTestId="evidence-row"
              rowData={(r) => ({ id: String(r.id), kind: r.kind })}
            />
          )}
        </div>
        {selectedId !== undefined && <DetailPane kind={kind} id={selectedId} onClose={() => setParams({ id: undefined }, { replace: true })} />}
      </div>
    </View>
  );
}

function KindTabs({ kind, counts, onChange }: { kind: EvidenceKind; counts: CaseCounts | null; onChange(kind: EvidenceKind): void }) {
  const tabs = KINDS.map((k) => ({
    id: k.kind,
    testId: `tab-${k.kind}`,
    label: (
      <>
        {k.label}
        {counts !== null && <span className="tab-count num">{formatCount(counts[k.count])}</span>}
      </>
    ),
  }));
  return <TabList tabs={tabs} active={kind} onChange={onChange} label="Record kind" />;
}

const SEARCH_HINTS: Record<EvidenceKind, string> = {
  http: 'Search host, path, method…',
  dns: 'Search names and answers…',
  tls: 'Search server name, JA4…',
  flow: 'Search addresses, protocol…',
  anomaly: 'Search layer and error…',
};

/** A search field that asks the engine only once typing pauses. */
function SearchBox({ value, onChange, kind }: { value: string; onChange(value: string): void; kind: EvidenceKind }) {
  const [draft, setDraft] = useState(value);
  const latest = useRef(onChange);
  useEffect(() => {
    latest.current = onChange;
  }, [onChange]);

  useEffect(() => {
    if (draft === value) return;
    const timer = window.setTimeout(() => latest.current(draft), 250);
    return () => window.clearTimeout(timer);
  }, [draft, value]);

  return (
    <label className="search">
      <span className="visually-hidden">Search {kind} records</span>
      <input
        type="search"
        value={draft}
        placeholder={SEARCH_HINTS[kind]}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') latest.current(draft);
        }}
        data-testid="evidence-search"
      />
    </label>
  );
}

function FilterChip({ label, value, onRemove }: { label: string; value: string; onRemove(): void }) {
  return (
    <span className="chip" data-testid="filter-chip">
      <span className="muted">{label}:</span> <span className="mono">{value}</span>
      <button type="button" className="chip-remove" onClick={onRemove} aria-label={`Remove ${label.toLowerCase()} filter ${value}`}>
        ×
      </button>
    </span>
  );
}
