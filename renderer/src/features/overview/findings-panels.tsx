import { useState } from 'react';
import type { AccountRow, CountrySummary, DeviceRow, FindingSentence, OperatorSummary } from '../../../../shared/model.ts';
import { EmptyState } from '../../components/states.tsx';
import { formatBytes, formatCount } from '../../lib/format.ts';
import { hrefFor } from '../../lib/router.tsx';

function findingHref(f: FindingSentence): string | null {
  if (f.evidence === null) return null;
  const { kind, host, ids } = f.evidence;
  if (ids !== undefined && ids.length === 1) return hrefFor('evidence', { kind, id: ids[0], host });
  return hrefFor('evidence', { kind, host });
}

const SEVERITY_WORDS: Record<FindingSentence['severity'], string> = { info: 'Note', notice: 'Notice', warning: 'Warning' };

/** How many findings show before "Show all". */
const FIRST_FINDINGS = 8;

/** Findings as the engine phrased them, most serious first, each linked to what backs it. */
export function FindingsList({ findings }: { findings: FindingSentence[] }) {
  const [showAll, setShowAll] = useState(false);
  if (findings.length === 0) {
    return (
      <EmptyState title="No findings" compact>
        <p>No personal data was found leaving the devices in these inputs.</p>
      </EmptyState>
    );
  }
  const order = { warning: 0, notice: 1, info: 2 };
  const sorted = findings.slice().sort((a, b) => order[a.severity] - order[b.severity]);
  const shown = showAll ? sorted : sorted.slice(0, FIRST_FINDINGS);
  return (
    <>
      <ol className="findings" data-testid="findings-list">
      {shown.map((f, i) => {
        const href = findingHref(f);
        return (
          <li key={i} className={`finding finding--${f.severity}`} data-testid="finding" data-severity={f.severity}>
            <span className={`severity severity--${f.severity}`}>{SEVERITY_WORDS[f.severity]}</span>
            <span className="finding-text">{f.text}</span>
            {href !== null && (
              <a href={href} className="finding-link">
                Show evidence
              </a>
            )}
          </li>
        );
      })}
    </ol>
    {sorted.length > FIRST_FINDINGS && (
      <button type="button" className="button button--quiet button--small findings-more" onClick={() => setShowAll(!showAll)} aria-expanded={showAll}>
        {showAll ? 'Show the first findings only' : `Show all ${sorted.length} findings`}
      </button>
    )}
    </>
  );
}

/** The figures a country and an operator row share, so both tables read alike. */
interface ReachFigures {
  hosts: number;
  requests: number;
  bytesUp: number;
  leaks: number;
}

function ReachHead({ label }: { label: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{label}</th>
        <th scope="col" className="col-num">Hosts</th>
        <th scope="col" className="col-num">Requests</th>
        <th scope="col" className="col-num">Sent</th>
        <th scope="col" className="col-num">Leaks</th>
      </tr>
    </thead>
  );
}

function ReachCells({ row }: { row: ReachFigures }) {
  return (
    <>
      <td className="col-num num">{formatCount(row.hosts)}</td>
      <td className="col-num num">{formatCount(row.requests)}</td>
      <td className="col-num num">{formatBytes(row.bytesUp)}</td>
      <td className={`col-num num${row.leaks > 0 ? ' leak-figure' : ''}`}>{formatCount(row.leaks)}</td>
    </>
  );
}

export function CountriesTable({ rows }: { rows: CountrySummary[] }) {
  if (rows.length === 0) return <EmptyState title="No countries" compact />;
  return (
    <table className="table" data-testid="countries-table">
      <ReachHead label="Country" />
      <tbody>
        {rows.map((c) => (
          <tr key={c.country ?? 'unknown'} data-testid="country-row" data-country={c.country ?? ''}>
            <th scope="row">
              {c.countryName ?? (c.country === null ? <span className="muted">private or unknown</span> : c.country)}
              {c.country !== null && <span className="muted small"> {c.country}</span>}
            </th>
            <ReachCells row={c} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OperatorsTable({ rows }: { rows: OperatorSummary[] }) {
  if (rows.length === 0) return <EmptyState title="No operators" compact />;
  return (
    <table className="table" data-testid="operators-table">
      <ReachHead label="Operator" />
      <tbody>
        {rows.map((o) => (
          <tr key={`${o.asn ?? 'none'}:${o.org ?? ''}`} data-testid="operator-row">
            <th scope="row">
              {o.org ?? <span className="muted">unknown</span>}
              {o.asn !== null && <span className="muted small"> AS{o.asn}</span>}
            </th>
            <ReachCells row={o} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DevicesList({ rows }: { rows: DeviceRow[] }) {
  if (rows.length === 0) return <EmptyState title="No devices identified" compact />;
  return (
    <ul className="entity-list" data-testid="overview-devices">
      {rows.map((d) => (
        <li key={d.id} className="entity-item">
          <a href={hrefFor('entities', { tab: 'devices', id: d.id })} className="entity-label">
            {d.label}
          </a>
          <span className="muted small mono">{[...d.ips, ...d.macs].slice(0, 3).join(' · ')}</span>
          <span className="num small">
            {formatCount(d.requests)} requests · {formatCount(d.identifiers)} identifiers
          </span>
        </li>
      ))}
    </ul>
  );
}

export function AccountsList({ rows }: { rows: AccountRow[] }) {
  if (rows.length === 0) return <EmptyState title="No accounts identified" compact />;
  return (
    <ul className="entity-list" data-testid="overview-accounts">
      {rows.map((a) => (
        <li key={a.id} className="entity-item">
          <a href={hrefFor('entities', { tab: 'accounts', id: a.id })} className="entity-label">
            {a.label}
          </a>
          <span className="muted small">{a.identifiers.map((i) => `${i.type}: ${i.value}`).slice(0, 2).join(' · ')}</span>
          <span className="num small">{formatCount(a.requests)} requests</span>
        </li>
      ))}
    </ul>
  );
}
