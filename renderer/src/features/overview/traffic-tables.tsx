import type { DestinationSummary, HostRow, ProtocolSummary } from '../../../../shared/model.ts';
import { EmptyState } from '../../components/states.tsx';
import { formatBytes, formatCount } from '../../lib/format.ts';
import { hrefFor } from '../../lib/router.tsx';

/** A bar proportional to a share, drawn with CSS; the figure beside it is the data. */
export function ShareBar({ value, max }: { value: number; max: number }) {
  const width = max > 0 ? Math.max(1, Math.round((value / max) * 100)) : 0;
  return (
    <span className="share-bar" aria-hidden="true">
      <span className="share-bar-fill" style={{ width: `${width}%` }} />
    </span>
  );
}

export function DestinationsTable({ rows }: { rows: DestinationSummary[] }) {
  if (rows.length === 0) return <EmptyState title="No destinations" compact />;
  const max = Math.max(...rows.map((r) => r.http + r.tls + r.dns));
  return (
    <div className="table-scroll">
      <table className="table" data-testid="destinations-table">
        <thead>
          <tr>
            <th scope="col">Destination</th>
            <th scope="col" className="col-num">HTTP</th>
            <th scope="col" className="col-num">TLS</th>
            <th scope="col" className="col-num">DNS</th>
            <th scope="col" className="col-num">Sent</th>
            <th scope="col" className="col-num">Received</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.name} data-testid="destination-row" data-name={d.name}>
              <th scope="row">
                <a href={hrefFor('evidence', { kind: d.http > 0 ? 'http' : d.tls > 0 ? 'tls' : 'dns', host: d.name })} className="dest-name">
                  {d.name}
                </a>
                <span className="muted small block mono" title={d.ips.join(', ')}>
                  {d.ips.slice(0, 2).join(', ')}
                  {d.ips.length > 2 && ` +${d.ips.length - 2}`}
                </span>
                <ShareBar value={d.http + d.tls + d.dns} max={max} />
              </th>
              <td className="col-num num" data-testid="destination-http">{formatCount(d.http)}</td>
              <td className="col-num num" data-testid="destination-tls">{formatCount(d.tls)}</td>
              <td className="col-num num">{formatCount(d.dns)}</td>
              <td className="col-num num">{formatBytes(d.bytesUp)}</td>
              <td className="col-num num">{formatBytes(d.bytesDown)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function HostsTable({ rows }: { rows: HostRow[] }) {
  if (rows.length === 0) return <EmptyState title="No remote addresses" compact />;
  return (
    <div className="table-scroll">
      <table className="table" data-testid="hosts-table">
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Names</th>
            <th scope="col" className="col-num">Flows</th>
            <th scope="col" className="col-num">Requests</th>
            <th scope="col" className="col-num">Packets</th>
            <th scope="col" className="col-num">Sent</th>
            <th scope="col" className="col-num">Received</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => (
            <tr key={h.ip} data-testid="host-row">
              <th scope="row" className="mono">
                <a href={hrefFor('evidence', { kind: 'flow', ip: h.ip })}>{h.ip}</a>
              </th>
              <td className="names-cell" title={h.names.join(', ')}>
                {h.names.length === 0 ? <span className="muted">no name seen</span> : h.names.slice(0, 3).join(', ')}
                {h.names.length > 3 && <span className="muted"> +{h.names.length - 3}</span>}
              </td>
              <td className="col-num num">{formatCount(h.flows)}</td>
              <td className="col-num num">{formatCount(h.requests)}</td>
              <td className="col-num num">{formatCount(h.packets)}</td>
              <td className="col-num num">{formatBytes(h.bytesUp)}</td>
              <td className="col-num num">{formatBytes(h.bytesDown)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ProtocolsTable({ rows }: { rows: ProtocolSummary[] }) {
  if (rows.length === 0) return <EmptyState title="No flows" compact />;
  const max = Math.max(...rows.map((r) => r.bytes));
  return (
    <table className="table" data-testid="protocols-table">
      <thead>
        <tr>
          <th scope="col">Protocol</th>
          <th scope="col" className="col-num">Flows</th>
          <th scope="col" className="col-num">Packets</th>
          <th scope="col" className="col-num">Bytes</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.app} data-testid="protocol-row" data-app={p.app}>
            <th scope="row">
              <span className="proto-name">{p.app.toUpperCase()}</span>
              <ShareBar value={p.bytes} max={max} />
            </th>
            <td className="col-num num">{formatCount(p.flows)}</td>
            <td className="col-num num">{formatCount(p.packets)}</td>
            <td className="col-num num">{formatBytes(p.bytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
