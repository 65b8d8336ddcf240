/**
 * The tables beside the map: countries, operators and hosts, each sortable by any
 * column. A country is selected with its button (Tab to reach it, Enter or Space to
 * select), which highlights it on the map and narrows the other two tables to it.
 */
import { useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { DestinationRow } from '../../../../shared/model.ts';
import { formatBytes, formatCount } from '../../lib/format.ts';
import { hrefFor } from '../../lib/router.tsx';
import { countryName } from './country-codes.ts';
import { sortBy } from './geography.ts';
import type { CountryTotals, Geography, OperatorTotals, SortDir } from './geography.ts';

export type TableTab = 'countries' | 'operators' | 'hosts';

interface Column<T> {
  key: string;
  label: string;
  numeric?: boolean;
  value: (row: T) => string | number | null;
  render?: (row: T) => ReactNode;
}

/** Rows shown before "Show all": enough for any real case's countries, and a page of hosts. */
const PAGE = 150;

function SortableTable<T>({
  rows,
  columns,
  initial,
  rowKey,
  caption,
  testId,
  rowClass,
}: {
  rows: readonly T[];
  columns: ReadonlyArray<Column<T>>;
  initial: { key: string; dir: SortDir };
  rowKey: (row: T) => string;
  caption: string;
  testId: string;
  rowClass?: (row: T) => string | undefined;
}) {
  const [sort, setSort] = useState(initial);
  const [all, setAll] = useState(false);
  const column = columns.find((c) => c.key === sort.key) ?? columns[0];
  const sorted = useMemo(() => sortBy(rows, column.value, sort.dir), [rows, column, sort.dir]);
  const shown = all ? sorted : sorted.slice(0, PAGE);

  function toggle(c: Column<T>): void {
    setSort((s) => (s.key === c.key ? { key: c.key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key: c.key, dir: c.numeric === true ? 'desc' : 'asc' }));
  }

  return (
    <>
      <table className="map-table" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                className={c.numeric === true ? 'num' : undefined}
                aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                <button type="button" className="map-sort" onClick={() => toggle(c)}>
                  {c.label}
                  <span className="map-sort-mark" aria-hidden="true">
                    {sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                  </span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={rowKey(row)} className={rowClass?.(row)}>
              {columns.map((c, i) =>
                i === 0 ? (
                  <th key={c.key} scope="row">
                    {c.render ? c.render(row) : c.value(row)}
                  </th>
                ) : (
                  <td key={c.key} className={c.numeric === true ? 'num' : undefined}>
                    {c.render ? c.render(row) : c.value(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {sorted.length > PAGE && (
        <button type="button" className="button button--small map-show-all" onClick={() => setAll((a) => !a)}>
          {all ? `Show the first ${PAGE}` : `Show all ${formatCount(sorted.length)}`}
        </button>
      )}
    </>
  );
}

function hostLink(host: string): ReactNode {
  // The evidence view filters its HTTP rows by host (a parent domain matches its subdomains).
  return (
    <a href={hrefFor('evidence', { kind: 'http', host })} className="map-host">
      {host}
    </a>
  );
}

export interface CountryTablesProps {
  geography: Geography;
  tab: TableTab;
  onTab(tab: TableTab): void;
  selected: string | null;
  onSelect(code: string | null): void;
}

export function CountryTables({ geography, tab, onTab, selected, onSelect }: CountryTablesProps) {
  const selectedTotals = selected === null ? null : (geography.countries.find((c) => c.code === selected) ?? null);
  const operators = selectedTotals?.operators ?? geography.operators;
  const hosts = selectedTotals?.destinations ?? [...geography.located, ...geography.unlocated];

  const countryColumns = useMemo<ReadonlyArray<Column<CountryTotals>>>(
    () => [
      {
        key: 'name',
        label: 'Country',
        value: (c) => c.name,
        render: (c) => (
          <button
            type="button"
            className={`map-country-button${c.code === selected ? ' map-country-button--selected' : ''}`}
            aria-pressed={c.code === selected}
            onClick={() => onSelect(c.code === selected ? null : c.code)}
            data-testid="map-country-row"
            data-code={c.code}
          >
            {c.name} <span className="muted">{c.code}</span>
          </button>
        ),
      },
      { key: 'hosts', label: 'Hosts', numeric: true, value: (c) => c.hosts, render: (c) => formatCount(c.hosts) },
      { key: 'requests', label: 'Requests', numeric: true, value: (c) => c.requests, render: (c) => formatCount(c.requests) },
      { key: 'bytes', label: 'Bytes sent', numeric: true, value: (c) => c.bytesUp, render: (c) => formatBytes(c.bytesUp) },
      { key: 'leaks', label: 'Leaks', numeric: true, value: (c) => c.leaks, render: (c) => (c.leaks > 0 ? <strong className="map-leaks">{formatCount(c.leaks)}</strong> : '0') },
    ],
    [selected, onSelect],
  );

  const operatorColumns = useMemo<ReadonlyArray<Column<OperatorTotals>>>(
    () => [
      { key: 'org', label: 'Operator', value: (o) => o.org },
      { key: 'asn', label: 'ASN', numeric: true, value: (o) => o.asn, render: (o) => (o.asn === null ? '—' : `AS${o.asn}`) },
      { key: 'countries', label: 'Countries', value: (o) => o.countries.join(', '), render: (o) => o.countries.join(', ') || '—' },
      { key: 'hosts', label: 'Hosts', numeric: true, value: (o) => o.hosts, render: (o) => formatCount(o.hosts) },
      { key: 'requests', label: 'Requests', numeric: true, value: (o) => o.requests, render: (o) => formatCount(o.requests) },
      { key: 'bytes', label: 'Bytes sent', numeric: true, value: (o) => o.bytesUp, render: (o) => formatBytes(o.bytesUp) },
      { key: 'leaks', label: 'Leaks', numeric: true, value: (o) => o.leaks, render: (o) => (o.leaks > 0 ? <strong className="map-leaks">{formatCount(o.leaks)}</strong> : '0') },
    ],
    [],
  );

  const hostColumns = useMemo<ReadonlyArray<Column<DestinationRow>>>(
    () => [
      { key: 'host', label: 'Host', value: (h) => h.host, render: (h) => hostLink(h.host) },
      { key: 'country', label: 'Country', value: (h) => (h.country ? countryName(h.country, h.countryName) : null), render: (h) => (h.country ? countryName(h.country, h.countryName) : <span className="muted">not located</span>) },
      { key: 'org', label: 'Operator', value: (h) => h.org, render: (h) => h.org ?? (h.asn !== null ? `AS${h.asn}` : '—') },
      { key: 'category', label: 'Category', value: (h) => h.category, render: (h) => h.category ?? '' },
      { key: 'requests', label: 'Requests', numeric: true, value: (h) => h.requests, render: (h) => formatCount(h.requests) },
      { key: 'bytes', label: 'Bytes sent', numeric: true, value: (h) => h.bytesUp, render: (h) => formatBytes(h.bytesUp) },
      { key: 'leaks', label: 'Leaks', numeric: true, value: (h) => h.leaks, render: (h) => (h.leaks > 0 ? <strong className="map-leaks">{formatCount(h.leaks)}</strong> : '0') },
    ],
    [],
  );

  const tabs: Array<{ id: TableTab; label: string; n: number }> = [
    { id: 'countries', label: 'Countries', n: geography.countries.length },
    { id: 'operators', label: 'Operators', n: operators.length },
    { id: 'hosts', label: 'Hosts', n: hosts.length },
  ];

  return (
    <div className="map-tables">
      <div className="map-tabs" role="tablist" aria-label="Destination tables">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`map-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`map-tabpanel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className="map-tab"
            onClick={() => onTab(t.id)}
            onKeyDown={(e) => {
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
              const i = tabs.findIndex((x) => x.id === tab);
              const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
              onTab(next.id);
              document.getElementById(`map-tab-${next.id}`)?.focus();
            }}
            data-testid={`map-tab-${t.id}`}
          >
            {t.label} <span className="num muted">{formatCount(t.n)}</span>
          </button>
        ))}
      </div>
      {selectedTotals !== null && tab !== 'countries' && (
        <p className="map-filter-note">
          In {selectedTotals.name} only ·{' '}
          <button type="button" className="map-link-button" onClick={() => onSelect(null)}>
            show all countries
          </button>
        </p>
      )}
      <div className="map-tabpanel" role="tabpanel" id={`map-tabpanel-${tab}`} aria-labelledby={`map-tab-${tab}`}>
        {tab === 'countries' &&
          (geography.countries.length === 0 ? (
            <p className="muted">No destination could be placed in a country.</p>
          ) : (
            <SortableTable
              rows={geography.countries}
              columns={countryColumns}
              initial={{ key: 'requests', dir: 'desc' }}
              rowKey={(c) => c.code}
              caption="Countries traffic went to"
              testId="map-countries-table"
              rowClass={(c) => (c.code === selected ? 'map-row--selected' : undefined)}
            />
          ))}
        {tab === 'operators' && (
          <SortableTable rows={operators} columns={operatorColumns} initial={{ key: 'requests', dir: 'desc' }} rowKey={(o) => o.key} caption="Network operators" testId="map-operators-table" />
        )}
        {tab === 'hosts' && (
          <SortableTable rows={hosts} columns={hostColumns} initial={{ key: 'requests', dir: 'desc' }} rowKey={(h) => h.host} caption="Destination hosts" testId="map-hosts-table" />
        )}
      </div>
      {geography.reserved.length > 0 && (
        <section className="map-reserved" data-testid="map-reserved">
          <h4>Private and reserved addresses · not on the map</h4>
          <ul>
            {geography.reserved.map((r) => (
              <li key={r.host}>
                <span className="map-reserved-host">{r.host}</span>
                <span className="map-scope">{r.scope}</span>
                {r.ips.length > 0 && r.ips[0] !== r.host && <span className="muted num">{r.ips.slice(0, 2).join(', ')}</span>}
                <span className="num muted">{formatCount(r.requests)} req.</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {geography.unlocated.length > 0 && (
        <p className="map-unlocated muted">
          {formatCount(geography.unlocated.length)} public {geography.unlocated.length === 1 ? 'address' : 'addresses'} could not be placed in a country (listed under Hosts).
        </p>
      )}
    </div>
  );
}
