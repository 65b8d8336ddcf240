import type { KeyboardEvent, ReactNode } from 'react';
import type { AccountRow, DeviceRow, IdentifierRow } from '../../../../shared/model.ts';
import { EmptyState, QueryBoundary } from '../../components/states.tsx';
import { TabList } from '../../components/tab-list.tsx';
import { UtcTime } from '../../components/utc-time.tsx';
import { View } from '../../components/view.tsx';
import { useApiQuery } from '../../lib/api-context.tsx';
import { formatCount } from '../../lib/format.ts';
import { useRouter } from '../../lib/router.tsx';
import { LinksPane } from './links-pane.tsx';
import type { EntitySummary } from './links-pane.tsx';

type Tab = 'devices' | 'accounts' | 'identifiers';
const TABS: Array<{ id: Tab; label: string }> = [
  { id: 'devices', label: 'Devices' },
  { id: 'accounts', label: 'Accounts' },
  { id: 'identifiers', label: 'Identifiers' },
];
const TAB_ITEMS = TABS.map((t) => ({ ...t, testId: `entities-tab-${t.id}` }));
const LIST_LIMIT = 1000;

/** Who is behind the traffic: devices, accounts, identifiers, and the requests that tie them together. */
export default function EntitiesView() {
  const { location, setParams } = useRouter();
  const tabParam = location.params.get('tab');
  const tab: Tab = TABS.some((t) => t.id === tabParam) ? (tabParam as Tab) : 'devices';
  const idParam = Number(location.params.get('id'));
  const selected = Number.isSafeInteger(idParam) && idParam > 0 ? idParam : null;

  return (
    <View
      title="Entities"
      testId="view-entities"
      wide
      description="Devices, accounts and identifiers the analysis found, and the requests that link them."
    >
      <EntityTabs tab={tab} onChange={(t) => setParams({ tab: t, id: undefined })} />
      <div className={`evidence-split${selected !== null ? ' evidence-split--detail' : ''}`}>
        <div className="entities-table" role="tabpanel" aria-label={tab}>
          {tab === 'devices' && <DevicesTable selected={selected} onSelect={(id) => setParams({ id }, { replace: true })} />}
          {tab === 'accounts' && <AccountsTable selected={selected} onSelect={(id) => setParams({ id }, { replace: true })} />}
          {tab === 'identifiers' && <IdentifiersTable selected={selected} onSelect={(id) => setParams({ id }, { replace: true })} />}
        </div>
        {selected !== null && <SelectedPane tab={tab} id={selected} onClose={() => setParams({ id: undefined }, { replace: true })} />}
      </div>
    </View>
  );
}

function EntityTabs({ tab, onChange }: { tab: Tab; onChange(tab: Tab): void }) {
  return <TabList tabs={TAB_ITEMS} active={tab} onChange={onChange} label="Entity kind" />;
}

/** A keyboard-navigable list table: arrows move the selection, which opens the pane. */
function SelectableTable<Row extends { id: number }>({
  rows,
  selected,
  onSelect,
  head,
  cells,
  testId,
  label,
}: {
  rows: Row[];
  selected: number | null;
  onSelect(id: number): void;
  head: string[];
  cells(row: Row): ReactNode[];
  testId: string;
  label: string;
}) {
  function onKeyDown(event: KeyboardEvent<HTMLTableSectionElement>): void {
    if (rows.length === 0) return;
    const at = rows.findIndex((r) => r.id === selected);
    let next = -1;
    if (event.key === 'ArrowDown') next = Math.min(rows.length - 1, at + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = rows.length - 1;
    if (next < 0) return;
    event.preventDefault();
    onSelect(rows[next].id);
    const tr = event.currentTarget.querySelectorAll('tr')[next];
    tr?.scrollIntoView({ block: 'nearest' });
  }
  return (
    <div className="table-scroll table-scroll--fill">
      <table className="table table--select" data-testid={testId} aria-label={label}>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody tabIndex={0} onKeyDown={onKeyDown}>
          {rows.map((row) => (
            <tr
              key={row.id}
              aria-selected={row.id === selected}
              className={row.id === selected ? 'row--selected' : undefined}
              onClick={() => onSelect(row.id)}
              data-testid="entity-row"
              data-id={row.id}
            >
              {cells(row).map((c, i) => (
                <td key={i}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Long values (user agents) are cut for the table; the whole list is in the tooltip. */
function cut(value: string, max = 64): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

function list(values: string[], max = 2): ReactNode {
  if (values.length === 0) return <span className="muted">—</span>;
  return (
    <span title={values.join('\n')}>
      {values.slice(0, max).map((v) => cut(v)).join(', ')}
      {values.length > max && <span className="muted"> +{values.length - max}</span>}
    </span>
  );
}

const NOT_ANALYSED = (what: string) => (
  <EmptyState title={`No ${what} found`} testId="entities-empty">
    <p>The analysis links traffic to {what} through identifiers sent in requests (advertising IDs, account names, device serials). None were seen in these inputs.</p>
  </EmptyState>
);

function DevicesTable({ selected, onSelect }: { selected: number | null; onSelect(id: number): void }) {
  const query = useApiQuery('devices.list', { limit: LIST_LIMIT });
  return (
    <QueryBoundary query={query} what="devices" isEmpty={(p) => p.rows.length === 0} empty={NOT_ANALYSED('devices')}>
      {(page) => (
        <SelectableTable<DeviceRow>
          rows={page.rows}
          selected={selected}
          onSelect={onSelect}
          testId="devices-table"
          label="Devices"
          head={['Device', 'Addresses', 'MAC', 'Host names', 'User agents', 'Identifiers', 'Requests']}
          cells={(d) => [
            <strong key="l">{d.label}</strong>,
            <span key="a" className="mono">{list(d.ips)}</span>,
            <span key="m" className="mono">{list(d.macs, 1)}</span>,
            list(d.hostnames),
            list(d.userAgents, 1),
            <span key="i" className="num">{formatCount(d.identifiers)}</span>,
            <span key="r" className="num">{formatCount(d.requests)}</span>,
          ]}
        />
      )}
    </QueryBoundary>
  );
}

function AccountsTable({ selected, onSelect }: { selected: number | null; onSelect(id: number): void }) {
  const query = useApiQuery('accounts.list', { limit: LIST_LIMIT });
  return (
    <QueryBoundary query={query} what="accounts" isEmpty={(p) => p.rows.length === 0} empty={NOT_ANALYSED('accounts')}>
      {(page) => (
        <SelectableTable<AccountRow>
          rows={page.rows}
          selected={selected}
          onSelect={onSelect}
          testId="accounts-table"
          label="Accounts"
          head={['Account', 'Identifiers', 'Devices', 'Requests']}
          cells={(a) => [
            <strong key="l">{a.label}</strong>,
            list(a.identifiers.map((i) => `${i.type}: ${i.value}`)),
            <span key="d" className="num">{formatCount(a.devices.length)}</span>,
            <span key="r" className="num">{formatCount(a.requests)}</span>,
          ]}
        />
      )}
    </QueryBoundary>
  );
}

function IdentifiersTable({ selected, onSelect }: { selected: number | null; onSelect(id: number): void }) {
  const query = useApiQuery('identifiers.list', { limit: LIST_LIMIT });
  return (
    <QueryBoundary query={query} what="identifiers" isEmpty={(p) => p.rows.length === 0} empty={NOT_ANALYSED('identifiers')}>
      {(page) => (
        <SelectableTable<IdentifierRow>
          rows={page.rows}
          selected={selected}
          onSelect={onSelect}
          testId="identifiers-table"
          label="Identifiers"
          head={['Type', 'Value', 'Belongs to', 'Seen', 'Sent to', 'Modes', 'When (UTC)']}
          cells={(i) => [
            <span key="t" className="badge">{i.type}</span>,
            <code key="v">{i.value}</code>,
            i.scope ?? <span className="muted">unknown</span>,
            <span key="o" className="num">{formatCount(i.observations)}×</span>,
            list(i.destinations),
            <span key="m">
              {i.modes.length === 0 && <span className="muted">not labelled</span>}
              {i.modes.map((m) => (
                <span key={m} className={`badge badge--${m}`}>
                  {m}
                </span>
              ))}
            </span>,
            i.span === null ? (
              '—'
            ) : (
              <span key="s" className="span-lines">
                <UtcTime iso={i.span.from} label={false} />
                <UtcTime iso={i.span.to} />
              </span>
            ),
          ]}
        />
      )}
    </QueryBoundary>
  );
}

function SelectedPane({ tab, id, onClose }: { tab: Tab; id: number; onClose(): void }) {
  const entity: EntitySummary['entity'] = tab === 'devices' ? 'device' : tab === 'accounts' ? 'account' : 'identifier';
  return <LinksPane entity={entity} id={id} onClose={onClose} />;
}
