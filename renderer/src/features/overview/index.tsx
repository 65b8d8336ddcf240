import type { CaseCounts, Overview } from '../../../../shared/model.ts';
import { EmptyState, QueryBoundary } from '../../components/states.tsx';
import { UtcSpan } from '../../components/utc-time.tsx';
import { Panel, View } from '../../components/view.tsx';
import { useApiQuery } from '../../lib/api-context.tsx';
import { formatCount, plural } from '../../lib/format.ts';
import { hrefFor } from '../../lib/router.tsx';
import { InputsTable } from './inputs-table.tsx';
import { DestinationsTable, HostsTable, ProtocolsTable } from './traffic-tables.tsx';
import { AccountsList, CountriesTable, DevicesList, FindingsList, OperatorsTable } from './findings-panels.tsx';

const TOP = 10;

/** What is in the case at a glance, and what it shows, in sentences. */
export default function OverviewView() {
  const query = useApiQuery('overview.get', { limit: TOP });
  return (
    <View title="Overview" testId="view-overview" description="Inputs, what they contain, and where the traffic went.">
      <QueryBoundary
        query={query}
        what="the overview"
        isEmpty={(o) => o.inputs.length === 0}
        empty={
          <EmptyState title="The case has no inputs yet" testId="overview-empty">
            <p>
              Add captures on the <a href={hrefFor('start')}>Start</a> page.
            </p>
          </EmptyState>
        }
      >
        {(overview) => <OverviewBody overview={overview} />}
      </QueryBoundary>
    </View>
  );
}

function OverviewBody({ overview }: { overview: Overview }) {
  return (
    <div className="overview">
      <p className="overview-span" data-testid="overview-span">
        {overview.span === null ? 'No timestamped records.' : <>Traffic from <UtcSpan from={overview.span.from} to={overview.span.to} /></>}
      </p>
      {overview.findings !== null && (
        <Panel title="Findings" testId="findings">
          <FindingsList findings={overview.findings} />
        </Panel>
      )}
      <CountsGrid counts={overview.counts} />
      <Panel title={`Inputs (${formatCount(overview.inputs.length)})`} testId="inputs">
        <InputsTable inputs={overview.inputs} />
      </Panel>
      <div className="overview-columns">
        <Panel title="Top destinations" testId="top-destinations">
          <DestinationsTable rows={overview.topDestinations} />
        </Panel>
        <Panel title="Protocols" testId="protocols">
          <ProtocolsTable rows={overview.protocols} />
        </Panel>
      </div>
      <Panel title="Top remote addresses by bytes" testId="top-hosts">
        <HostsTable rows={overview.topHosts} />
      </Panel>
      {overview.countries !== null || overview.operators !== null ? (
        <div className="overview-columns">
          {overview.countries !== null && (
            <Panel title="Countries" testId="countries">
              <CountriesTable rows={overview.countries} />
            </Panel>
          )}
          {overview.operators !== null && (
            <Panel title="Operators" testId="operators">
              <OperatorsTable rows={overview.operators} />
            </Panel>
          )}
        </div>
      ) : (
        <Panel title="Countries, operators, devices and accounts" testId="findings-pending">
          <EmptyState title="Not analysed for this case" compact>
            <p>Countries, operators, devices, accounts and findings appear here once the case has been analysed by a build that includes findings.</p>
          </EmptyState>
        </Panel>
      )}
      {(overview.devices !== null || overview.accounts !== null) && (
        <div className="overview-columns">
          {overview.devices !== null && (
            <Panel title="Devices" testId="devices">
              <DevicesList rows={overview.devices} />
            </Panel>
          )}
          {overview.accounts !== null && (
            <Panel title="Accounts" testId="accounts">
              <AccountsList rows={overview.accounts} />
            </Panel>
          )}
        </div>
      )}
    </div>
  );
}

const COUNT_TILES: Array<{ key: keyof CaseCounts; label: string; link?: string }> = [
  { key: 'inputs', label: 'inputs' },
  { key: 'packets', label: 'packets' },
  { key: 'harEntries', label: 'HAR entries' },
  { key: 'flows', label: 'flows', link: 'flow' },
  { key: 'http', label: 'HTTP requests', link: 'http' },
  { key: 'dns', label: 'DNS messages', link: 'dns' },
  { key: 'tls', label: 'TLS/QUIC hellos', link: 'tls' },
  { key: 'hosts', label: 'named hosts' },
  { key: 'names', label: 'local names' },
  { key: 'anomalies', label: 'anomalies', link: 'anomaly' },
];

function CountsGrid({ counts }: { counts: CaseCounts }) {
  return (
    <ul className="counts" data-testid="counts" aria-label="Counts">
      {COUNT_TILES.map(({ key, label, link }) => {
        const value = (
          <>
            <span className="count-value num" data-testid={`count-${key}`} data-value={counts[key]}>
              {formatCount(counts[key])}
            </span>
            <span className="count-label">{label}</span>
          </>
        );
        return (
          <li key={key} className="count-tile">
            {link !== undefined && counts[key] > 0 ? (
              <a href={hrefFor('evidence', { kind: link })} className="count-link" title={`Show ${plural(counts[key], label)} in Evidence`}>
                {value}
              </a>
            ) : (
              value
            )}
          </li>
        );
      })}
    </ul>
  );
}
