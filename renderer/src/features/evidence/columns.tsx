import type { AnomalyRow, DnsRow, EvidenceKind, EvidenceRow, FlowRow, HttpRow, TlsRow } from '../../../../shared/model.ts';
import type { Column } from '../../components/virtual-table.tsx';
import { dnsRcodeName, dnsTypeName, formatBytes, formatCount, formatEndpoint, formatIsoUtc, tlsVersionName } from '../../lib/format.ts';

type AnyColumn = Column<EvidenceRow>;

/** Columns are declared on their own row type and widened once here. */
function cols<R extends EvidenceRow>(list: Array<Column<R>>): AnyColumn[] {
  return list as unknown as AnyColumn[];
}

const time = <R extends Exclude<EvidenceRow, AnomalyRow>>(): Column<R> => ({
  id: 'ts',
  header: 'Time (UTC)',
  // Room for nanosecond timestamps (pcapng): 29 characters.
  width: '17rem',
  sortKey: 'ts',
  render: (r) => formatIsoUtc(r.ts),
  title: (r) => `${r.ts}`,
});

const pointer = <R extends EvidenceRow>(): Column<R> => ({
  id: 'pointer',
  header: 'Frame',
  width: '5.5rem',
  numeric: true,
  render: (r) => (r.frame !== null ? formatCount(r.frame) : 'entry' in r && r.entry !== null ? `#${r.entry}` : '—'),
  title: (r) => `input ${r.input}${r.frame !== null ? `, frame ${r.frame}` : 'entry' in r && r.entry !== null ? `, HAR entry ${r.entry}` : ''}`,
});

const client = <R extends Exclude<EvidenceRow, AnomalyRow>>(): Column<R> => ({
  id: 'src',
  header: 'Client',
  width: 'minmax(9rem, 1fr)',
  sortKey: 'src',
  render: (r) => formatEndpoint(r.srcIp, r.srcPort),
  title: (r) => formatEndpoint(r.srcIp, r.srcPort),
});

const server = <R extends Exclude<EvidenceRow, AnomalyRow>>(): Column<R> => ({
  id: 'dst',
  header: 'Server',
  width: 'minmax(9rem, 1fr)',
  sortKey: 'dst',
  render: (r) => formatEndpoint(r.dstIp, r.dstPort),
  title: (r) => formatEndpoint(r.dstIp, r.dstPort),
});

const HTTP: AnyColumn[] = cols<HttpRow>([
  time(),
  { id: 'method', header: 'Method', width: '5rem', render: (r) => r.method },
  { id: 'host', header: 'Host', width: 'minmax(10rem, 1.4fr)', sortKey: 'host', render: (r) => r.host ?? '—', title: (r) => r.host ?? undefined },
  { id: 'uri', header: 'URI', width: 'minmax(14rem, 3fr)', render: (r) => r.uri, title: (r) => r.uri },
  { id: 'status', header: 'Status', width: '4.5rem', numeric: true, render: (r) => (r.status === null ? '—' : String(r.status)), title: (r) => r.reason ?? undefined },
  { id: 'type', header: 'Type', width: 'minmax(7rem, 1fr)', render: (r) => r.responseType ?? '—', title: (r) => (r.responseType === null ? undefined : `response Content-Type: ${r.responseType}`) },
  { id: 'size', header: 'Sent / received', width: '9rem', numeric: true, sortKey: 'size', render: (r) => `${formatBytes(r.requestBodyLen)} / ${formatBytes(r.responseBodyLen)}` },
  server(),
  pointer(),
]);

const DNS: AnyColumn[] = cols<DnsRow>([
  time(),
  { id: 'dir', header: 'Kind', width: '6rem', render: (r) => `${r.response ? 'response' : 'query'}${r.flavor === 'mdns' ? ' (mDNS)' : ''}` },
  { id: 'qname', header: 'Name', width: 'minmax(12rem, 2fr)', sortKey: 'host', render: (r) => r.qname, title: (r) => r.qname },
  { id: 'qtype', header: 'Type', width: '4.5rem', render: (r) => dnsTypeName(r.qtype) },
  { id: 'rcode', header: 'Result', width: '6.5rem', render: (r) => (r.response ? dnsRcodeName(r.rcode) : '—') },
  {
    id: 'answers',
    header: 'Answers',
    width: 'minmax(12rem, 2fr)',
    render: (r) => (r.answers.length === 0 ? '—' : r.answers.map((a) => a.data).join(', ')),
    title: (r) => r.answers.map((a) => `${a.name} ${dnsTypeName(a.type)} ${a.data}`).join('\n') || undefined,
  },
  client(),
  server(),
  pointer(),
]);

const TLS: AnyColumn[] = cols<TlsRow>([
  time(),
  { id: 'sni', header: 'Server name (SNI)', width: 'minmax(12rem, 2fr)', sortKey: 'host', render: (r) => r.sni ?? '—', title: (r) => r.sni ?? undefined },
  { id: 'transport', header: 'Over', width: '4.5rem', render: (r) => (r.transport === 'quic' ? 'QUIC' : 'TCP') },
  {
    id: 'version',
    header: 'Version',
    width: '6rem',
    render: (r) => tlsVersionName(r.serverVersion ?? (r.versions.length > 0 ? Math.max(...r.versions) : r.legacyVersion)),
    title: (r) => (r.serverVersion === null ? 'highest version offered by the client' : 'version chosen by the server'),
  },
  { id: 'alpn', header: 'ALPN', width: 'minmax(6rem, 1fr)', render: (r) => (r.alpn.length === 0 ? '—' : r.alpn.join(', ')) },
  { id: 'ja4', header: 'JA4', width: 'minmax(10rem, 1.5fr)', render: (r) => r.ja4 ?? '—', title: (r) => r.ja4 ?? undefined },
  client(),
  server(),
  pointer(),
]);

const FLOW: AnyColumn[] = cols<FlowRow>([
  time(),
  { id: 'proto', header: 'Proto', width: '4.5rem', render: (r) => r.proto.toUpperCase() },
  { id: 'app', header: 'App', width: '5rem', render: (r) => (r.app === null ? '—' : r.app.toUpperCase()) },
  client(),
  server(),
  { id: 'names', header: 'Server names', width: 'minmax(10rem, 2fr)', sortKey: 'host', render: (r) => (r.names.length === 0 ? '—' : r.names.join(', ')), title: (r) => r.names.join('\n') || undefined },
  { id: 'packets', header: 'Packets ↑/↓', width: '7.5rem', numeric: true, render: (r) => `${formatCount(r.packetsUp)} / ${formatCount(r.packetsDown)}` },
  { id: 'size', header: 'Bytes ↑/↓', width: '9.5rem', numeric: true, sortKey: 'size', render: (r) => `${formatBytes(r.bytesUp)} / ${formatBytes(r.bytesDown)}` },
  pointer(),
]);

const ANOMALY: AnyColumn[] = cols<AnomalyRow>([
  { id: 'input', header: 'Input', width: '4.5rem', numeric: true, render: (r) => String(r.input) },
  pointer(),
  { id: 'layer', header: 'Layer', width: '7rem', render: (r) => r.layer },
  { id: 'error', header: 'What could not be parsed', width: 'minmax(16rem, 1fr)', render: (r) => r.error, title: (r) => r.error },
]);

export const COLUMNS: Record<EvidenceKind, AnyColumn[]> = { http: HTTP, dns: DNS, tls: TLS, flow: FLOW, anomaly: ANOMALY };

/** A row's one-line description, for the detail pane's heading and for links. */
export function describeRow(row: EvidenceRow): string {
  switch (row.kind) {
    case 'http':
      return `${row.method} ${row.host ?? row.dstIp}${row.uri}`;
    case 'dns':
      return `${row.response ? 'Response' : 'Query'} ${dnsTypeName(row.qtype)} ${row.qname}`;
    case 'tls':
      return `${row.transport === 'quic' ? 'QUIC' : 'TLS'} ClientHello${row.sni === null ? '' : ` for ${row.sni}`}`;
    case 'flow':
      return `${row.proto.toUpperCase()} ${formatEndpoint(row.srcIp, row.srcPort)} → ${formatEndpoint(row.dstIp, row.dstPort)}`;
    case 'anomaly':
      return `${row.layer}: ${row.error}`;
  }
}
