/**
 * evidence.get: one row with everything a detail pane shows: for HTTP the headers,
 * previews of both bodies, the decode trees of the request body and the query string;
 * for every kind the file it came from and the records of the same conversation.
 */
import { ApiFailure } from '../../../shared/api.ts';
import { PREVIEW_HEX_BYTES, PREVIEW_TEXT_BYTES } from '../../../shared/model.ts';
import type {
  BodyPreview,
  DecodeTree,
  EvidenceDetail,
  EvidenceKind,
  EvidenceRow,
  EvidenceSource,
  HeaderList,
  HttpDetail,
  HttpRow,
} from '../../../shared/model.ts';
import { decodePayload } from '../decode/decode-tree.ts';
import type { DecodeLimits } from '../decode/types.ts';
import type { CaseReader } from './case-reader.ts';
import type { ResponseBodyInfo } from '../store/case-store.ts';
import { leakHighlights } from './findings-api.ts';
import { mapRows } from './evidence-query.ts';
import { msFromNs, stamp } from './instants.ts';
import { COLUMNS, TABLE, headerValue, parseJson } from './rows.ts';
import type { SqlRow } from './rows.ts';
import { isoFromNs } from '../util/time.ts';

/**
 * Decode limits for the detail pane: the tree crosses IPC or HTTP as JSON, so it is
 * kept to what a person can read; the findings pass decodes with the full limits.
 */
const DETAIL_DECODE_LIMITS: DecodeLimits = { maxNodes: 2000, maxValueChars: 4096, maxOutputBytes: 4 * 1024 * 1024 };

/** Related records listed per row, at most. */
const RELATED_MAX = 50;

/** Full detail of one evidence row; not-found when there is no such row. */
export function evidenceDetail(reader: CaseReader, kind: EvidenceKind, id: number): EvidenceDetail {
  const raw = reader.db.prepare(`SELECT ${COLUMNS[kind]} FROM ${TABLE[kind]} WHERE id = ?`).get(id) as SqlRow | undefined;
  if (raw === undefined) throw new ApiFailure('not-found', `no ${kind} row with id ${id} in this case`);
  const row = mapRows(reader, kind, [raw])[0] as EvidenceRow;
  return {
    kind,
    row,
    source: sourceOf(reader, row),
    http: row.kind === 'http' ? httpDetail(reader, row, raw) : null,
    related: related(reader, row),
  };
}

function sourceOf(reader: CaseReader, row: EvidenceRow): EvidenceSource {
  const input = reader.db.prepare('SELECT path, file_name, format, sha256 FROM inputs WHERE id = ?').get(row.input) as SqlRow | undefined;
  const timed = row.kind === 'anomaly' ? null : row;
  return {
    input: row.input,
    path: (input?.path as string | undefined) ?? '',
    fileName: (input?.file_name as string | undefined) ?? '',
    format: (input?.format as EvidenceSource['format'] | undefined) ?? null,
    sha256: (input?.sha256 as string | null | undefined) ?? null,
    frame: row.frame,
    entry: timed === null ? null : timed.entry,
    ts: timed === null ? null : timed.ts,
    tsMs: timed === null ? null : timed.tsMs,
  };
}

/** Request line and headers, as the client sent them (HTTP/1 framing). */
function rawHead(row: HttpRow, headers: HeaderList): string {
  const lines = [`${row.method} ${row.uri} ${row.version}`];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function preview(body: Buffer | null, wireSize: number, headers: HeaderList | null, captureTruncated: boolean,
  info: ResponseBodyInfo | null = null): BodyPreview | null {
  const notKept = info?.sha256 ?? null;
  if (notKept !== null) {
    // The case keeps only the body's hash (media); the original capture holds the bytes.
    return {
      size: wireSize, wireSize, contentType: headerValue(headers, 'content-type'), contentEncoding: null,
      text: null, hex: '', previewTruncated: false, captureTruncated, sha256: notKept, decodeError: null,
    };
  }
  if (body === null || body.length === 0) return null;
  const head = body.subarray(0, PREVIEW_TEXT_BYTES);
  return {
    size: body.length,
    wireSize,
    contentType: headerValue(headers, 'content-type'),
    contentEncoding: headerValue(headers, 'content-encoding'),
    text: asText(head),
    hex: body.subarray(0, PREVIEW_HEX_BYTES).toString('hex'),
    previewTruncated: body.length > PREVIEW_TEXT_BYTES,
    captureTruncated,
    sha256: null,
    decodeError: info?.decodeError ?? null,
  };
}

/** The bytes as UTF-8 text, or null when they are not valid UTF-8 or hold control characters. */
function asText(buf: Buffer): string | null {
  let text: string;
  try {
    // stream: a multi-byte character cut at the preview edge is held back, not an error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf, { stream: true });
  } catch {
    return null;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) return null;
  }
  return text;
}

function decodeTree(input: Buffer | string, hint: { contentType?: string; name?: string }): DecodeTree {
  const result = decodePayload(input, DETAIL_DECODE_LIMITS, hint);
  return { root: result.root, anomalies: result.anomalies };
}

function httpDetail(reader: CaseReader, row: HttpRow, raw: SqlRow): HttpDetail {
  const requestHeaders = parseJson<HeaderList>(raw.request_headers, []);
  const responseHeaders = parseJson<HeaderList | null>(raw.response_headers, null);
  const bodies = reader.store.httpBodies(row.id);
  const requestBody = preview(bodies.request, row.requestBodySize, requestHeaders, row.truncated);
  const responseBody = preview(bodies.response, row.responseBodySize, responseHeaders, row.truncated, bodies.responseInfo);
  const contentType = headerValue(requestHeaders, 'content-type') ?? undefined;
  const q = row.uri.indexOf('?');
  const query = q === -1 ? '' : row.uri.slice(q + 1);
  return {
    requestHeaders,
    responseHeaders,
    rawRequestHead: rawHead(row, requestHeaders),
    requestBody,
    responseBody,
    requestDecode: bodies.request !== null && bodies.request.length > 0 ? decodeTree(bodies.request, { contentType }) : null,
    queryDecode: query !== '' ? decodeTree(query, { name: 'query' }) : null,
    highlights: leakHighlights(reader, row.id),
  };
}

/**
 * The flow a record belongs to, or the records of a flow: same input and the same
 * address/port pair in either orientation (a DNS response runs server → client),
 * within the flow's lifetime.
 */
function related(reader: CaseReader, row: EvidenceRow): EvidenceDetail['related'] {
  if (row.kind === 'anomaly' || row.kind === 'http' && row.source === 'har') return [];
  const db = reader.db;
  const pair = `((src_ip = @a AND src_port = @ap AND dst_ip = @b AND dst_port = @bp) OR
    (src_ip = @b AND src_port = @bp AND dst_ip = @a AND dst_port = @ap))`;
  const args = { a: row.srcIp, ap: row.srcPort, b: row.dstIp, bp: row.dstPort, input: row.input };
  const out: EvidenceDetail['related'] = [];
  const digits = reader.digitsOf(row.input);
  if (row.kind === 'flow') {
    const window = { ...args, first: BigInt(Math.round(row.tsMs * 1000)) * 1000n - 1000n, last: BigInt(Math.round(row.lastMs * 1000)) * 1000n + 1000n };
    for (const [kind, label] of [['http', "method || ' ' || coalesce(host, '') || uri"], ['tls', "coalesce('SNI ' || sni, 'ClientHello')"], ['dns', 'qname']] as const) {
      const rows = db.prepare(`SELECT id, CAST(ts_ns AS TEXT) AS ts_text, ${label} AS label FROM ${kind}
        WHERE input_id = @input AND ${pair} AND ts_ns BETWEEN @first AND @last ORDER BY ts_ns, id LIMIT ${RELATED_MAX}`)
        .all(window) as Array<{ id: number; ts_text: string; label: string }>;
      for (const r of rows) out.push({ kind, id: r.id, ...stamp(r.ts_text, digits), label: r.label });
    }
    out.sort((x, y) => (x.tsMs ?? 0) - (y.tsMs ?? 0));
    return out.slice(0, RELATED_MAX);
  }
  const ts = BigInt(Math.round(row.tsMs * 1000)) * 1000n;
  const flows = db.prepare(`SELECT id, proto, app, CAST(first_ts_ns AS TEXT) AS ts_text, bytes_up + bytes_down AS bytes FROM flows
    WHERE input_id = @input AND ${pair} AND first_ts_ns <= @ts AND last_ts_ns >= @lo ORDER BY first_ts_ns DESC LIMIT 1`)
    .all({ ...args, ts: ts + 1000n, lo: ts - 1000n }) as Array<{ id: number; proto: string; app: string | null; ts_text: string; bytes: number }>;
  for (const f of flows) {
    const t = BigInt(f.ts_text);
    out.push({ kind: 'flow', id: f.id, ts: isoFromNs(t, digits), tsMs: msFromNs(t), label: `${f.app ?? f.proto} flow · ${f.bytes} B` });
  }
  return out;
}
