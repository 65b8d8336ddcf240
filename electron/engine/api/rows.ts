/**
 * Column lists and row mappers from the case tables to the API's evidence rows. Only
 * pages of rows go through here (at most API_MAX_LIMIT), so plain objects are fine;
 * counting and aggregation stay in SQL.
 */
import type {
  AnomalyRow,
  DnsAnswer,
  DnsRow,
  EvidenceKind,
  FlowRow,
  HeaderList,
  HttpRow,
  TlsRow,
} from '../../../shared/model.ts';
import { stamp } from './instants.ts';

export type SqlRow = Record<string, unknown>;

/** Fractional-second digits of an input's timestamps. */
export type DigitsOf = (input: number) => number;

/** The table behind each evidence kind. */
export const TABLE: Readonly<Record<EvidenceKind, string>> = {
  http: 'http',
  dns: 'dns',
  tls: 'tls',
  flow: 'flows',
  anomaly: 'anomalies',
};

const POINTER = 'id, input_id, frame, entry, CAST(ts_ns AS TEXT) AS ts_text, src_ip, src_port, dst_ip, dst_port';

/** SELECT list of each kind (without the FROM). */
export const COLUMNS: Readonly<Record<EvidenceKind, string>> = {
  http: `${POINTER}, source, method, host, uri, version, status, reason, request_headers, response_headers,
    request_body_len, response_body_len, request_body_size, response_body_size, response_frame,
    CAST(response_ts_ns AS TEXT) AS response_ts_text, truncated`,
  dns: `${POINTER}, transport, flavor, txid, response, opcode, rcode, qname, qtype, answers`,
  tls: `${POINTER}, transport, sni, alpn, versions, legacy_version, ciphers, extensions, ja4, quic_version,
    server_version, server_cipher, server_frame`,
  flow: `id, input_id, first_frame AS frame, NULL AS entry, CAST(first_ts_ns AS TEXT) AS ts_text,
    CAST(last_ts_ns AS TEXT) AS last_text, src_ip, src_port, dst_ip, dst_port, proto, src_mac, dst_mac,
    packets_up, packets_down, bytes_up, bytes_down, app, gap_bytes`,
  anomaly: 'id, input_id, frame, layer, error',
};

function pointerAndEndpoints(r: SqlRow, digits: DigitsOf) {
  const input = r.input_id as number;
  return {
    input,
    frame: r.frame as number | null,
    entry: r.entry as number | null,
    ...stamp(r.ts_text as string, digits(input)),
    srcIp: r.src_ip as string,
    srcPort: r.src_port as number,
    dstIp: r.dst_ip as string,
    dstPort: r.dst_port as number,
  };
}

/** Parse a JSON column, falling back when a row holds something unexpected. */
export function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** First value of a header (case-insensitive name), or null. */
export function headerValue(headers: HeaderList | null, name: string): string | null {
  if (headers === null) return null;
  const want = name.toLowerCase();
  for (const [n, v] of headers) if (n.toLowerCase() === want) return v;
  return null;
}

/** An HTTP row; the header lists are read only for the content types. */
export function httpRow(r: SqlRow, digits: DigitsOf): HttpRow {
  const base = pointerAndEndpoints(r, digits);
  const reqHeaders = parseJson<HeaderList>(r.request_headers, []);
  const resHeaders = parseJson<HeaderList | null>(r.response_headers, null);
  return {
    kind: 'http',
    id: r.id as number,
    ...base,
    method: r.method as string,
    host: r.host as string | null,
    uri: r.uri as string,
    version: r.version as string,
    status: r.status as number | null,
    reason: r.reason as string | null,
    requestType: headerValue(reqHeaders, 'content-type'),
    responseType: headerValue(resHeaders, 'content-type'),
    requestBodyLen: r.request_body_len as number,
    responseBodyLen: r.response_body_len as number,
    requestBodySize: r.request_body_size as number,
    responseBodySize: r.response_body_size as number,
    responseFrame: r.response_frame as number | null,
    responseTs: typeof r.response_ts_text === 'string' ? stamp(r.response_ts_text, digits(base.input)).ts : null,
    truncated: r.truncated === 1,
    source: r.source as HttpRow['source'],
  };
}

/** A DNS row. */
export function dnsRow(r: SqlRow, digits: DigitsOf): DnsRow {
  return {
    kind: 'dns',
    id: r.id as number,
    ...pointerAndEndpoints(r, digits),
    transport: r.transport as DnsRow['transport'],
    flavor: r.flavor as DnsRow['flavor'],
    txid: r.txid as number,
    response: r.response === 1,
    opcode: r.opcode as number,
    rcode: r.rcode as number | null,
    qname: r.qname as string,
    qtype: r.qtype as number,
    answers: parseJson<DnsAnswer[]>(r.answers, []),
  };
}

/** A TLS/QUIC ClientHello row. */
export function tlsRow(r: SqlRow, digits: DigitsOf): TlsRow {
  return {
    kind: 'tls',
    id: r.id as number,
    ...pointerAndEndpoints(r, digits),
    transport: r.transport as TlsRow['transport'],
    sni: r.sni as string | null,
    alpn: parseJson<string[]>(r.alpn, []),
    versions: parseJson<number[]>(r.versions, []),
    legacyVersion: r.legacy_version as number,
    ciphers: parseJson<number[]>(r.ciphers, []),
    extensions: parseJson<number[]>(r.extensions, []),
    ja4: r.ja4 as string | null,
    quicVersion: r.quic_version as number | null,
    serverVersion: r.server_version as number | null,
    serverCipher: r.server_cipher as number | null,
    serverFrame: r.server_frame as number | null,
  };
}

/** A flow row; `names` are filled by the caller for the whole page at once. */
export function flowRow(r: SqlRow, digits: DigitsOf): FlowRow {
  const base = pointerAndEndpoints(r, digits);
  const last = stamp(r.last_text as string, digits(base.input));
  return {
    kind: 'flow',
    id: r.id as number,
    ...base,
    proto: r.proto as FlowRow['proto'],
    srcMac: r.src_mac as string | null,
    dstMac: r.dst_mac as string | null,
    lastTs: last.ts,
    lastMs: last.tsMs,
    packetsUp: r.packets_up as number,
    packetsDown: r.packets_down as number,
    bytesUp: r.bytes_up as number,
    bytesDown: r.bytes_down as number,
    app: r.app as string | null,
    gapBytes: r.gap_bytes as number,
    names: [],
    nameCount: 0,
  };
}

/** An anomaly row. */
export function anomalyRow(r: SqlRow): AnomalyRow {
  return {
    kind: 'anomaly',
    id: r.id as number,
    input: r.input_id as number,
    frame: r.frame as number | null,
    layer: r.layer as string,
    error: r.error as string,
  };
}

/** Escape LIKE wildcards so user text matches literally (with ESCAPE '\'). */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** SQL that strips a port and lower-cases an HTTP Host column (defined beside the view summaries that use it too). */
export { HOST_NAME_SQL } from '../store/timeline-index.ts';
