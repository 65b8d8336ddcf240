import { Fragment } from 'react';
import type { ReactNode } from 'react';
import type { ReportDestinationRef, ReportFinding, ReportModel, ReportPointer } from '../../../../shared/report.ts';
import { formatCount, plural } from '../../lib/format.ts';
import { ComparisonChart } from './comparison-chart.tsx';
import { DestinationMap, MapLegend } from './destination-map.tsx';
import { utcText } from './time-axis.ts';
import { TimelineChart, TimelineLegend } from './timeline-chart.tsx';

function bytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]} (${formatCount(n)} bytes)`;
}

function pointerText(p: ReportPointer): string {
  if (p.frame !== null) return `${p.input}, frame ${p.frame}`;
  if (p.entry !== null) return `${p.input}, HAR entry ${p.entry} (log.entries[${p.entry}])`;
  return p.input;
}

function ModeTag({ mode }: { mode: string | null }) {
  if (mode === null) return <span className="muted">not labelled</span>;
  return <span className={`mode-tag mode-${mode}`}>{mode}</span>;
}

function countryText(d: { country: string | null; countryName: string | null }): string {
  if (d.country === null) return 'no country (not a public address, or not in the database)';
  return `${d.countryName ?? d.country} (${d.country})`;
}

function destinationText(d: ReportDestinationRef): string {
  return d.ip === null ? d.host : `${d.host} (${d.ip})`;
}

/** Section ids, numbers and titles: the table of contents and the headings use the same list. */
interface TocEntry {
  id: string;
  number: string;
  title: string;
  children?: TocEntry[];
}

function tocEntries(m: ReportModel): TocEntry[] {
  const charts: TocEntry[] = [
    { id: 'chart-timeline', number: '4.1', title: 'Timeline' },
    { id: 'chart-map', number: '4.2', title: 'Destinations by country' },
  ];
  if (m.comparison !== null) charts.push({ id: 'chart-comparison', number: '4.3', title: 'Incognito versus normal browsing' });
  return [
    { id: 'summary', number: '1', title: 'Summary of findings' },
    {
      id: 'methodology',
      number: '2',
      title: 'Methodology',
      children: [
        { id: 'method-captures', number: '2.1', title: 'Captures, devices and labels' },
        { id: 'method-databases', number: '2.2', title: 'Reference databases' },
        { id: 'method-blind-spots', number: '2.3', title: 'What Telltale can and cannot see' },
      ],
    },
    { id: 'inputs', number: '3', title: 'Inputs' },
    { id: 'charts', number: '4', title: 'Charts', children: charts },
    { id: 'findings', number: '5', title: `Findings (${m.findings.length})` },
    {
      id: 'appendix',
      number: 'A',
      title: 'Appendix',
      children: [
        { id: 'appendix-destinations', number: 'A.1', title: `All destinations (${m.appendix.destinations.length})` },
        { id: 'appendix-identifiers', number: 'A.2', title: `All identifiers (${m.appendix.identifiers.length})` },
        { id: 'appendix-anomalies', number: 'A.3', title: `Anomalies (${m.appendix.anomalies.total})` },
      ],
    },
    { id: 'manifest', number: 'B', title: 'Evidence manifest and how to verify this report' },
  ];
}

function Toc({ entries }: { entries: TocEntry[] }) {
  return (
    <ol>
      {entries.map((e) => (
        <li key={e.id}>
          <a href={`#${e.id}`}>
            <span className="toc-number">{e.number}</span>
            <span>{e.title}</span>
            <span className="toc-fill" />
            {/* Filled in by the printer from the first print's outline (see electron/engine/report/page-setup.ts). */}
            <span className="toc-page" data-toc-page={`${e.number} ${e.title}`} />
          </a>
          {e.children !== undefined && <Toc entries={e.children} />}
        </li>
      ))}
    </ol>
  );
}

function Heading({ entry, level = 2 }: { entry: TocEntry; level?: 2 | 3 }) {
  const text = `${entry.number} ${entry.title}`;
  return level === 2 ? <h2 id={entry.id}>{text}</h2> : <h3 id={entry.id}>{text}</h3>;
}

function Cover({ m }: { m: ReportModel }) {
  const c = m.cover;
  return (
    <section className="cover" data-testid="report-cover">
      <div className="cover-kicker">Evidence report</div>
      <h1>{c.title}</h1>
      <div className="cover-subject">{c.subject}</div>
      <table className="cover-table">
        <tbody>
          <tr>
            <th>Investigator</th>
            <td>{c.investigator ?? '—'}</td>
          </tr>
          <tr>
            <th>Organisation</th>
            <td>{c.organisation ?? '—'}</td>
          </tr>
          <tr>
            <th>Date of report</th>
            <td>{utcText(m.generatedAt)}</td>
          </tr>
          <tr>
            <th>Produced with</th>
            <td>
              {c.tool.name} {c.tool.version}
            </td>
          </tr>
          <tr>
            <th>Inputs</th>
            <td>
              {m.inputs.length} file{m.inputs.length === 1 ? '' : 's'} (SHA-256 in section 3)
            </td>
          </tr>
          <tr>
            <th>Evidence manifest</th>
            <td>
              {m.manifest.fileName}, attached to this PDF
              <br />
              SHA-256 <span className="hash">{m.manifest.sha256}</span>
            </td>
          </tr>
          {m.redaction !== null && (
            <tr>
              <th>Redaction</th>
              <td>Data of devices not under investigation is masked (see section 2.1).</td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="cover-foot">
        Every statement in this report points to the input file and the frame (or HAR entry) it rests on. Times are UTC, with the precision of the
        capture they come from. The evidence manifest attached to this PDF lists the inputs with their hashes and every finding with its pointer and
        decode chain; its SHA-256 above ties the two together.
      </div>
    </section>
  );
}

function Summary({ m, entry }: { m: ReportModel; entry: TocEntry }) {
  const s = m.summary;
  return (
    <section className="section" data-testid="report-summary">
      <Heading entry={entry} />
      <p>{s.lead}</p>
      <div className="counts">
        <div>
          <strong>{formatCount(s.counts.findings)}</strong>findings
        </div>
        <div>
          <strong>{formatCount(s.counts.destinations)}</strong>destinations
        </div>
        <div>
          <strong>{formatCount(s.counts.countries)}</strong>countries
        </div>
        <div>
          <strong>{formatCount(s.counts.identifiers)}</strong>identifiers
        </div>
      </div>
      {s.items.length > 0 ? (
        <ol className="summary-list">
          {s.items.map((it, i) => (
            <li key={i}>
              <span className={`badge badge-${it.severity}`}>{it.severity}</span>
              <span>
                {it.text} <span className="muted">({it.findings.length === 1 ? it.findings[0] : `${it.findings[0]} to ${it.findings[it.findings.length - 1]}`})</span>
              </span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">{m.hasFindings ? 'Telltale found no personal data leaving the devices in these inputs.' : 'This case has not been analysed for findings; the report lists the traffic only.'}</p>
      )}
      {s.comparison.map((t, i) => (
        <p key={`c-${i}`}>{t}</p>
      ))}
    </section>
  );
}

function Methodology({ m, entry }: { m: ReportModel; entry: TocEntry }) {
  const me = m.methodology;
  const [captures, databases, blind] = entry.children ?? [];
  return (
    <section className="section" data-testid="report-methodology">
      <Heading entry={entry} />
      {me.method.map((p, i) => (
        <p key={i}>{p}</p>
      ))}
      <Heading entry={captures} level={3} />
      <table className="data">
        <thead>
          <tr>
            <th>Input</th>
            <th>Recorded by</th>
            <th>From (UTC)</th>
            <th>To (UTC)</th>
            <th>Mode</th>
          </tr>
        </thead>
        <tbody>
          {m.inputs.map((i) => (
            <tr key={i.file}>
              <td className="mono">{i.file}</td>
              <td>{i.producer ?? '—'}</td>
              <td className="mono">{utcText(i.from)}</td>
              <td className="mono">{utcText(i.to)}</td>
              <td>
                <ModeTag mode={i.mode} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {me.devices.length > 0 ? (
        <table className="data">
          <colgroup>
            <col style={{ width: '22%' }} />
            <col style={{ width: '22%' }} />
            <col style={{ width: '18%' }} />
            <col style={{ width: '38%' }} />
          </colgroup>
          <thead>
            <tr>
              <th>Device</th>
              <th>Addresses</th>
              <th>Names</th>
              <th>User agents</th>
            </tr>
          </thead>
          <tbody>
            {me.devices.map((d, i) => (
              <tr key={i}>
                <td>
                  {d.label}
                  {d.investigated === true && <div className="muted">under investigation</div>}
                  {d.investigated === false && <div className="muted">bystander (masked)</div>}
                </td>
                <td className="mono">{[...d.macs, ...d.ips].join(', ') || '—'}</td>
                <td>{d.hostnames.join(', ') || '—'}</td>
                <td className="mono lines">{d.userAgents.join('\n') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No device was identified in these inputs.</p>
      )}
      {me.modes.length > 0 && (
        <p>
          Browsing modes were labelled by the investigator:{' '}
          {me.modes.map((l, i) => (
            <span key={i}>
              {i > 0 && '; '}
              <ModeTag mode={l.mode} /> {l.input !== null ? <span className="mono">{l.input}</span> : `${utcText(l.from)} to ${utcText(l.to)}`}
            </span>
          ))}
          .
        </p>
      )}
      {m.redaction !== null && (
        <p>
          <strong>Redaction.</strong> {m.redaction.note} Devices under investigation: <span className="mono">{m.redaction.devices.join(', ')}</span>. Masked:{' '}
          {plural(m.redaction.maskedFindings, 'finding', 'findings')}, {plural(m.redaction.maskedDestinations, 'destination', 'destinations')},{' '}
          {plural(m.redaction.maskedIdentifiers, 'identifier', 'identifiers')}.
        </p>
      )}
      <Heading entry={databases} level={3} />
      {me.databases.length > 0 ? (
        <table className="data">
          <thead>
            <tr>
              <th>Database</th>
              <th>Version</th>
              <th>Date</th>
              <th>Source and licence</th>
            </tr>
          </thead>
          <tbody>
            {me.databases.map((d) => (
              <tr key={d.name}>
                <td>{d.name}</td>
                <td className="mono">{d.version ?? '—'}</td>
                <td className="mono nowrap">{d.date === null ? '—' : d.date.slice(0, 10)}</td>
                <td>
                  {d.source ?? '—'}
                  {d.licence !== null && <div className="muted">{d.licence}</div>}
                  {d.sha256 !== null && <div className="hash muted">SHA-256 {d.sha256}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">The case records no reference database (countries, operators and categories were not looked up).</p>
      )}
      <Heading entry={blind} level={3} />
      <ul className="blind-spots">
        {me.blindSpots.map((b) => (
          <li key={b.title}>
            <strong>{b.title}.</strong> {b.text}
            {b.extent !== null && <span className="muted"> In this case: {b.extent}.</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Inputs({ m, entry }: { m: ReportModel; entry: TocEntry }) {
  return (
    <section className="section" data-testid="report-inputs">
      <Heading entry={entry} />
      <p>The files below were read without modification. Their SHA-256 was computed by Telltale when they were imported.</p>
      <table className="data">
        <thead>
          <tr>
            <th>File</th>
            <th>Size</th>
            <th>Format</th>
            <th>Time span (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {m.inputs.map((i) => (
            <Fragment key={i.file}>
              <tr>
                <td className="mono">{i.file}</td>
                <td>{bytes(i.size)}</td>
                <td>
                  {i.format ?? 'not recognised'}
                  <div className="muted">{i.items}</div>
                </td>
                <td className="mono">
                  {utcText(i.from)}
                  <br />
                  {utcText(i.to)}
                </td>
              </tr>
              <tr>
                <td colSpan={4}>
                  SHA-256 <span className="hash">{i.sha256 ?? 'not computed'}</span>
                  {i.error !== null && <div className="muted">Read {i.status}: {i.error}</div>}
                </td>
              </tr>
            </Fragment>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Charts({ m, entry }: { m: ReportModel; entry: TocEntry }) {
  const [timeline, map, comparison] = entry.children ?? [];
  return (
    <section className="section" data-testid="report-charts">
      <Heading entry={entry} />
      <Heading entry={timeline} level={3} />
      {m.timeline !== null ? (
        <figure>
          <TimelineChart timeline={m.timeline} />
          <TimelineLegend timeline={m.timeline} />
          <figcaption>
            Grey bars: requests (HTTP, TLS ClientHellos, DNS queries) over time,{' '}
            {m.timeline.segments.map((s) => `${utcText(s.from)} to ${utcText(s.to)}`).join('; ')}. Markers: findings, one lane per destination; shaded
            bands: the labelled browsing modes.
          </figcaption>
        </figure>
      ) : (
        <p className="muted">The inputs carry no timestamped records.</p>
      )}
      <Heading entry={map} level={3} />
      <figure>
        <DestinationMap map={m.map} />
        <MapLegend />
        <figcaption>
          Country of each destination address according to the geolocation database (section 2.2). {m.map.unlocated} destination
          {m.map.unlocated === 1 ? ' has' : 's have'} no country (local or reserved addresses, or not in the database).
        </figcaption>
      </figure>
      {m.map.countries.length > 0 && (
        <table className="data">
          <thead>
            <tr>
              <th>Country</th>
              <th className="num">Destinations</th>
              <th className="num">Requests</th>
              <th className="num">Findings</th>
            </tr>
          </thead>
          <tbody>
            {m.map.countries.map((c) => (
              <tr key={c.code}>
                <td>
                  {c.name} ({c.code})
                </td>
                <td className="num">{formatCount(c.destinations)}</td>
                <td className="num">{formatCount(c.requests)}</td>
                <td className="num">{formatCount(c.findings)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {m.comparison !== null && comparison !== undefined && (
        <>
          <Heading entry={comparison} level={3} />
          <figure>
            <ComparisonChart comparison={m.comparison} />
            <figcaption>Findings per kind, destinations and countries reached, per labelled browsing mode.</figcaption>
          </figure>
          <table className="data">
            <thead>
              <tr>
                <th />
                {m.comparison.modes.map((c) => (
                  <th key={c.mode} className="num">
                    {c.mode}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>Pages visited / leaked</td>
                {m.comparison.modes.map((c) => (
                  <td key={c.mode} className="num">
                    {c.pagesVisited ?? '—'} / {c.pagesLeaked ?? '—'}
                  </td>
                ))}
              </tr>
              <tr>
                <td>Findings</td>
                {m.comparison.modes.map((c) => (
                  <td key={c.mode} className="num">
                    {c.findings}
                  </td>
                ))}
              </tr>
              <tr>
                <td>Identifiers sent</td>
                {m.comparison.modes.map((c) => (
                  <td key={c.mode} className="num">
                    {c.identifiers}
                  </td>
                ))}
              </tr>
              <tr>
                <td>Countries</td>
                {m.comparison.modes.map((c) => (
                  <td key={c.mode} className="num">
                    {c.countries.join(', ') || '—'}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
          {m.comparison.sharedIdentifiers.length > 0 && (
            <p>
              Identifiers sent in both modes:{' '}
              {m.comparison.sharedIdentifiers.map((s, i) => (
                <span key={i}>
                  {i > 0 && ', '}
                  {s.type} <span className="mono">{s.value}</span>
                </span>
              ))}
              .
            </p>
          )}
        </>
      )}
    </section>
  );
}

function Excerpt({ f }: { f: ReportFinding }) {
  if (f.excerpt === null) return <span className="muted">—</span>;
  if (f.match === null) return <pre className="excerpt">{f.excerpt}</pre>;
  return (
    <pre className="excerpt">
      {f.excerpt.slice(0, f.match.start)}
      <mark>{f.excerpt.slice(f.match.start, f.match.end)}</mark>
      {f.excerpt.slice(f.match.end)}
    </pre>
  );
}

function Finding({ f }: { f: ReportFinding }) {
  const d = f.destination;
  return (
    <article className={`finding sev-${f.severity}`} data-testid="report-finding" id={`finding-${f.id}`}>
      <div className="finding-head">
        <h3>
          {f.id} · {f.kindLabel}
        </h3>
        <span className={`badge badge-${f.severity}`}>{f.severity}</span>
      </div>
      <dl>
        <dt>Time (UTC)</dt>
        <dd className="mono">{utcText(f.ts)}</dd>
        <dt>Value</dt>
        <dd className={f.redacted ? 'redacted' : 'value'}>{f.value}</dd>
        <dt>Sent to</dt>
        <dd>{destinationText(d)}</dd>
        <dt>Country</dt>
        <dd>{countryText(d)}</dd>
        <dt>Operator</dt>
        <dd>
          {d.operator ?? d.org ?? '—'}
          {d.operator !== null && d.org !== null && d.org !== d.operator && <span className="muted"> (network: {d.org}{d.asn !== null ? `, AS${d.asn}` : ''})</span>}
          {d.operator === null && d.asn !== null && <span className="muted"> (AS{d.asn})</span>}
        </dd>
        <dt>Category</dt>
        <dd>{d.category ?? 'not listed'}</dd>
        <dt>Mode</dt>
        <dd>
          <ModeTag mode={f.mode} />
        </dd>
        <dt>Evidence</dt>
        <dd className="mono">{pointerText(f.pointer)}</dd>
        <dt>Decode chain</dt>
        <dd className="chain">
          {f.chainSteps.length === 0 ? (
            <span className="muted">sent as is</span>
          ) : (
            f.chainSteps.map((s, i) => (
              <span key={i}>
                {i > 0 && '→ '}
                <span className="chain-step">{s}</span>
              </span>
            ))
          )}
        </dd>
        <dt>Decoded excerpt</dt>
        <dd>
          <Excerpt f={f} />
        </dd>
      </dl>
    </article>
  );
}

function Findings({ m, entry }: { m: ReportModel; entry: TocEntry }) {
  return (
    <section className="section" data-testid="report-findings">
      <Heading entry={entry} />
      {m.findings.length === 0 ? (
        <p className="muted">No findings.</p>
      ) : (
        <>
          <p>
            Findings are listed most serious first, then by time. Each one names the exact value, where it went, how Telltale decoded it from the
            payload, and the frame or HAR entry where anyone can check it.
          </p>
          {m.findings.map((f) => (
            <Finding key={f.id} f={f} />
          ))}
        </>
      )}
    </section>
  );
}

function Appendix({ m, entry }: { m: ReportModel; entry: TocEntry }) {
  const [dest, ids, anomalies] = entry.children ?? [];
  const a = m.appendix;
  return (
    <section className="section" data-testid="report-appendix">
      <Heading entry={entry} />
      <Heading entry={dest} level={3} />
      <table className="data">
        <thead>
          <tr>
            <th>Destination</th>
            <th>Country</th>
            <th>Operator</th>
            <th>Category</th>
            <th className="num">Requests</th>
            <th className="num">Findings</th>
          </tr>
        </thead>
        <tbody>
          {a.destinations.map((d, i) => (
            <tr key={i}>
              <td className={d.redacted ? 'redacted' : 'mono'}>
                {d.host}
                {!d.redacted && d.ips.length > 0 && d.ips[0] !== d.host && <div className="muted">{d.ips.join(', ')}</div>}
              </td>
              <td>{d.country ?? d.scope ?? '—'}</td>
              <td>
                {d.operator ?? d.org ?? '—'}
                {d.asn !== null && <span className="muted"> AS{d.asn}</span>}
              </td>
              <td>{d.category ?? '—'}</td>
              <td className="num">{formatCount(d.requests)}</td>
              <td className="num">{formatCount(d.findings)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Heading entry={ids} level={3} />
      {a.identifiers.length === 0 ? (
        <p className="muted">No identifier was found.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th>Type</th>
              <th>Value</th>
              <th>Sent to</th>
              <th>Modes</th>
              <th className="num">Seen</th>
            </tr>
          </thead>
          <tbody>
            {a.identifiers.map((i, k) => (
              <tr key={k}>
                <td>
                  {i.type}
                  {i.scope !== null && <div className="muted">{i.scope}</div>}
                </td>
                <td className={i.redacted ? 'redacted' : 'mono'}>{i.value}</td>
                <td>{i.destinations.join(', ') || '—'}</td>
                <td>{i.modes.join(', ') || '—'}</td>
                <td className="num">{formatCount(i.observations)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {a.accounts.length > 0 && (
        <>
          <h4>Accounts</h4>
          <table className="data">
            <thead>
              <tr>
                <th>Account</th>
                <th>Identifiers</th>
              </tr>
            </thead>
            <tbody>
              {a.accounts.map((acc, k) => (
                <tr key={k}>
                  <td>{acc.label}</td>
                  <td className="mono lines">{acc.identifiers.map((i) => `${i.type}: ${i.value}`).join('\n')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <Heading entry={anomalies} level={3} />
      {a.anomalies.total === 0 ? (
        <p className="muted">Every packet and entry could be read.</p>
      ) : (
        <>
          <p>
            {formatCount(a.anomalies.total)} anomal{a.anomalies.total === 1 ? 'y' : 'ies'} (parts of packets or entries that could not be parsed; the import carried on
            past each): {a.anomalies.byLayer.map((l) => `${l.layer} ${formatCount(l.count)}`).join(', ')}.
            {a.anomalies.rows.length < a.anomalies.total && ` The first ${a.anomalies.rows.length} are listed; all are in the case.`}
          </p>
          <table className="data">
            <thead>
              <tr>
                <th>Input</th>
                <th className="num">Frame</th>
                <th>Layer</th>
                <th>Problem</th>
              </tr>
            </thead>
            <tbody>
              {a.anomalies.rows.map((r, k) => (
                <tr key={k}>
                  <td className="mono">{r.input}</td>
                  <td className="num">{r.frame ?? '—'}</td>
                  <td>{r.layer}</td>
                  <td>{r.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Manifest({ m, entry }: { m: ReportModel; entry: TocEntry }) {
  return (
    <section className="section" data-testid="report-manifest">
      <Heading entry={entry} />
      <p>
        This PDF carries an attached file, the evidence manifest: a JSON document that lists every input with its size and SHA-256, every finding with
        its value, destination, decode chain and pointer into the inputs, and the versions of Telltale and of the reference databases used.
      </p>
      <div className="manifest-box">
        <div>
          File: <span className="mono">{m.manifest.fileName}</span> ({formatCount(m.manifest.bytes)} bytes)
        </div>
        <div>
          SHA-256: <span className="hash">{m.manifest.sha256}</span>
        </div>
      </div>
      <p>To check that this report and its evidence belong together:</p>
      <ol>
        <li>
          Extract the attachment, e.g. <code>pdfdetach -saveall report.pdf</code> (poppler-utils), or from the attachments panel of a PDF reader.
        </li>
        <li>
          Compute its SHA-256, e.g. <code>sha256sum {m.manifest.fileName}</code>, and compare it with the value printed above.
        </li>
        <li>Compute the SHA-256 of each input file and compare it with the manifest and with section 3.</li>
        <li>Open each input at the frame or HAR entry a finding points to (e.g. in Wireshark: Go to packet) and read the value there.</li>
      </ol>
    </section>
  );
}

/** The whole report, in print order. */
export function ReportDocument({ model, footer }: { model: ReportModel; footer?: ReactNode }) {
  const toc = tocEntries(model);
  const byId = new Map(toc.map((e) => [e.id, e]));
  const at = (id: string): TocEntry => byId.get(id) as TocEntry;
  return (
    <div className="report-doc" data-testid="report-document">
      <Cover m={model} />
      <nav className="toc section" aria-label="Contents">
        <h2 id="contents">Contents</h2>
        <Toc entries={toc} />
      </nav>
      <Summary m={model} entry={at('summary')} />
      <Methodology m={model} entry={at('methodology')} />
      <Inputs m={model} entry={at('inputs')} />
      <Charts m={model} entry={at('charts')} />
      <Findings m={model} entry={at('findings')} />
      <Appendix m={model} entry={at('appendix')} />
      <Manifest m={model} entry={at('manifest')} />
      {footer}
    </div>
  );
}
