/**
 * Compare: incognito versus normal browsing, side by side. The figures come from
 * compare.get; the leaked pages and where they went from leaks.list per mode. The
 * panel "Identical in both modes" is the finding the view exists for: identifiers and
 * destinations that do not change when the user switches to a private window.
 */
import { useMemo } from 'react';
import type { BrowsingMode, Comparison, LeakRow } from '../../../../shared/model.ts';
import { API_MAX_LIMIT } from '../../../../shared/model.ts';
import { useApiQuery, useCase } from '../../lib/api-context.tsx';
import { evidenceHref, hrefFor } from '../../lib/router.tsx';
import { formatBytes, formatCount } from '../../lib/format.ts';
import { EmptyState, ErrorState, LoadingState, UnavailableState } from '../../components/states.tsx';
import { Panel, View } from '../../components/view.tsx';
import { UtcTime } from '../../components/utc-time.tsx';
import LabellingPanel from '../labelling/index.tsx';
import { useModeLabels } from '../labelling/use-mode-labels.ts';
import { countryName } from '../map/country-codes.ts';
import { useWidth } from '../timeline/use-width.ts';
import { CompareChart } from './compare-charts.tsx';
import { keyFinding, leakDestinations, leakedPages, metricRows, onlyLabelledModes, pickModes, splitSets } from './comparison.ts';
import type { LeakedPage, MetricRow } from './comparison.ts';
import './compare.css';

const MODES: readonly BrowsingMode[] = ['normal', 'incognito'];
const MODE_TITLE: Record<BrowsingMode, string> = { normal: 'Normal', incognito: 'Incognito' };

function formatMetric(row: MetricRow, v: number | null): string {
  if (v === null) return '—';
  if (row.format === 'bytes') return formatBytes(v);
  if (row.format === 'ratio') return `${Math.round(v * 100)}%`;
  return formatCount(v);
}

function HowToLabel() {
  return (
    <ol className="cmp-howto">
      <li>
        If each capture or HAR file holds one mode, choose <strong>Normal</strong> or <strong>Incognito</strong> for it below.
      </li>
      <li>
        If one capture holds both, open the <a href={hrefFor('timeline')}>Timeline</a>, drag across the time when the private window was used, and choose <strong>Mark as incognito</strong> (and the same for normal browsing).
      </li>
      <li>The comparison appears here as soon as one mode is labelled; the findings are recomputed with the labels.</li>
    </ol>
  );
}

export default function CompareView() {
  const { case: caseState } = useCase();
  const findings = caseState.status === 'ready' && caseState.info.features.findings;
  const labelsApi = useModeLabels();
  const labelState = labelsApi.labels.state;
  const labelled = labelState.status === 'ready' && labelState.data.length > 0;
  const comparison = useApiQuery('compare.get', undefined, { enabled: findings && labelled });
  const incognitoLeaks = useApiQuery('leaks.list', { mode: 'incognito', limit: API_MAX_LIMIT }, { enabled: findings && labelled });
  const normalLeaks = useApiQuery('leaks.list', { mode: 'normal', limit: API_MAX_LIMIT }, { enabled: findings && labelled });

  let body;
  if (caseState.status === 'ready' && !findings) {
    body = (
      <UnavailableState what="The incognito/normal comparison">
        <p>It needs the findings analysis (leaks, identifiers, mode labels), which this case or build does not have yet.</p>
      </UnavailableState>
    );
  } else if (labelState.status === 'error' && labelState.data === null) {
    body = <ErrorState what="mode labels" error={labelState.error} onRetry={labelsApi.labels.reload} />;
  } else if (labelState.status === 'loading') {
    body = <LoadingState what="mode labels" />;
  } else if (!labelled) {
    body = (
      <EmptyState title="Nothing is labelled as incognito or normal yet" testId="compare-empty">
        <p>The comparison needs to know which traffic was private browsing. Label it in one of two ways:</p>
        <HowToLabel />
        <div className="cmp-empty-labelling">
          <LabellingPanel compact />
        </div>
      </EmptyState>
    );
  } else if (comparison.state.status === 'loading') {
    body = <LoadingState what="the comparison" />;
  } else if (comparison.state.status === 'error' && comparison.state.data === null) {
    body = <ErrorState what="the comparison" error={comparison.state.error} onRetry={comparison.reload} />;
  } else if (comparison.state.data !== null) {
    const leaks: LeakRow[] = [...(incognitoLeaks.state.data?.rows ?? []), ...(normalLeaks.state.data?.rows ?? [])];
    const leaksLoading = incognitoLeaks.state.status === 'loading' || normalLeaks.state.status === 'loading';
    body = <ComparisonBody comparison={onlyLabelledModes(comparison.state.data, labelState.data)} leaks={leaks} leaksLoading={leaksLoading} />;
  }

  const analysing = caseState.status === 'ready' && caseState.info.analysing;
  return (
    <View title="Incognito versus normal" testId="view-compare" description="The same measures for both browsing modes, and what stays the same when the user switches to a private window.">
      {analysing && (
        <p className="cmp-analysing" role="status" data-testid="compare-analysing">
          The findings are being recomputed with the new labels; the figures below update when that is done.
        </p>
      )}
      {body}
      {labelled && (
        // Open, not folded: this is where labels are checked and corrected.
        <Panel title="Incognito and normal labels" testId="compare-labels" className="cmp-labels">
          <LabellingPanel compact />
        </Panel>
      )}
    </View>
  );
}

function ComparisonBody({ comparison, leaks, leaksLoading }: { comparison: Comparison; leaks: LeakRow[]; leaksLoading: boolean }) {
  const [chartRef, chartWidth] = useWidth();
  const rows = useMemo(() => metricRows(comparison), [comparison]);
  const { incognito, normal } = pickModes(comparison);
  const finding = keyFinding(comparison);
  const countries = splitSets(incognito?.countries ?? [], normal?.countries ?? []);
  const operators = splitSets(incognito?.operators ?? [], normal?.operators ?? []);
  const pages = useMemo(() => ({ incognito: leakedPages(leaks, 'incognito'), normal: leakedPages(leaks, 'normal') }), [leaks]);
  const destinations = useMemo(() => ({ incognito: leakDestinations(leaks, 'incognito'), normal: leakDestinations(leaks, 'normal') }), [leaks]);
  const missing = MODES.filter((m) => (m === 'incognito' ? incognito : normal) === null);

  return (
    <div className="cmp" data-testid="compare-body">
      {finding !== null && (
        <p className="cmp-finding" data-testid="compare-finding" role="note">
          {finding}
        </p>
      )}
      {missing.length > 0 && (
        <p className="cmp-missing" role="note">
          Nothing is labelled {missing.map((m) => MODE_TITLE[m].toLowerCase()).join(' or ')} yet, so that column is empty. Label it below or on the Timeline.
        </p>
      )}

      <div className="cmp-grid">
        <Panel title="Side by side" testId="compare-metrics">
          <table className="cmp-table">
            <thead>
              <tr>
                <th scope="col">Measure</th>
                <th scope="col" className="num cmp-col-normal">
                  Normal
                </th>
                <th scope="col" className="num cmp-col-incognito">
                  Incognito
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key} data-testid={`compare-metric-${r.key}`}>
                  <th scope="row">{r.label}</th>
                  <td className="num" data-mode="normal">
                    {formatMetric(r, r.normal)}
                  </td>
                  <td className="num" data-mode="incognito">
                    {formatMetric(r, r.incognito)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
        <Panel title="Identical in both modes" testId="compare-shared" className="cmp-shared">
          <p className="cmp-shared-lead">
            Present in incognito <em>and</em> in normal browsing: a private window that still sends these did not separate the user from their normal identity.
          </p>
          <h4 className="cmp-subtitle">
            Identifiers <span className="num muted">{formatCount(comparison.sharedIdentifiers.length)}</span>
          </h4>
          {comparison.sharedIdentifiers.length === 0 ? (
            <p className="muted">No identifier was seen in both modes.</p>
          ) : (
            <table className="cmp-table cmp-identifiers" data-testid="compare-shared-identifiers">
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {comparison.sharedIdentifiers.map((id) => (
                  <tr key={`${id.type}:${id.value}`}>
                    <th scope="row">{id.type}</th>
                    <td className="cmp-value">{id.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h4 className="cmp-subtitle">
            Destinations <span className="num muted">{formatCount(comparison.sharedDestinations.length)}</span>
          </h4>
          {comparison.sharedDestinations.length === 0 ? (
            <p className="muted">No destination was contacted in both modes.</p>
          ) : (
            <ul className="cmp-chips" data-testid="compare-shared-destinations">
              {comparison.sharedDestinations.map((d) => (
                <li key={d}>
                  <a href={hrefFor('evidence', { kind: 'http', host: d })}>{d}</a>
                </li>
              ))}
            </ul>
          )}
          {countries.both.length > 0 && (
            <p className="cmp-inline">
              <span className="cmp-inline-label">Countries in both:</span> {countries.both.map((c) => countryName(c)).join(', ')}
            </p>
          )}
          {operators.both.length > 0 && (
            <p className="cmp-inline">
              <span className="cmp-inline-label">Operators in both:</span> {operators.both.join(', ')}
            </p>
          )}
        </Panel>
      </div>

      <div className="cmp-charts" ref={chartRef}>
        <CompareChart rows={rows} format="count" width={chartWidth} title="Counts" />
        <div className="cmp-charts-row">
          <CompareChart rows={rows} format="ratio" width={Math.floor((chartWidth - 24) / 2)} title="Share of visited pages leaked" />
          <CompareChart rows={rows} format="bytes" width={Math.floor((chartWidth - 24) / 2)} title="Bytes sent" />
        </div>
      </div>

      <div className="cmp-columns">
        {MODES.map((mode) => (
          <Panel key={mode} title={`Leaked pages · ${MODE_TITLE[mode]}`} testId={`compare-pages-${mode}`} className={`cmp-mode cmp-mode--${mode}`}>
            {leaksLoading ? <LoadingState what="leaks" compact /> : <PageList pages={pages[mode]} />}
            <h4 className="cmp-subtitle">Sent to</h4>
            {destinations[mode].length === 0 ? (
              <p className="muted">{leaksLoading ? '…' : 'No leak in this mode.'}</p>
            ) : (
              <ul className="cmp-destinations" data-testid={`compare-destinations-${mode}`}>
                {destinations[mode].map((d) => (
                  <li key={d.host}>
                    <a href={hrefFor('evidence', { kind: 'http', host: d.host })}>{d.host}</a>
                    <span className="muted">
                      {[d.country ? countryName(d.country) : null, d.org, d.category].filter((x) => x !== null && x !== '').join(' · ')}
                    </span>
                    <span className="num">{formatCount(d.leaks)} {d.leaks === 1 ? 'leak' : 'leaks'}</span>
                  </li>
                ))}
              </ul>
            )}
            <p className="cmp-inline muted">
              {(mode === 'incognito' ? countries.onlyIncognito : countries.onlyNormal).length > 0 &&
                `Countries only in this mode: ${(mode === 'incognito' ? countries.onlyIncognito : countries.onlyNormal).map((c) => countryName(c)).join(', ')}`}
            </p>
          </Panel>
        ))}
      </div>
    </div>
  );
}

function PageList({ pages }: { pages: readonly LeakedPage[] }) {
  if (pages.length === 0) return <p className="muted">No visited page or search was found in outgoing traffic.</p>;
  return (
    <ul className="cmp-pages">
      {pages.map((p) => (
        <li key={`${p.kind}:${p.value}`} className="cmp-page">
          <span className={`cmp-kind cmp-kind--${p.kind}`}>{p.kind === 'search' ? 'search' : 'page'}</span>
          <span className="cmp-value">{p.value}</span>
          <span className="cmp-page-meta">
            <UtcTime iso={p.firstTs} />
            {p.times > 1 && <span className="muted"> · sent {p.times}×</span>}
            <span className="muted"> · to {p.destinations.join(', ')}</span>
            {p.httpId !== null && (
              <>
                {' · '}
                <a href={evidenceHref('http', p.httpId)}>evidence</a>
              </>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}
