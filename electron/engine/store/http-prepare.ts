/**
 * An HTTP exchange turned into what the case store writes: header lists as JSON text,
 * bodies encoded for the case (body-codec.ts). A pipelined import does this in the
 * dissect worker, which has spare time while the thread that owns the case is the one
 * both threads wait for: on a replay of real web traffic, serialising headers and
 * compressing bodies were a third of that thread's work. The one-thread import and
 * every other writer call it inside CaseStore.http.
 */
import type { HttpRecord } from '../records.ts';
import { headerValue } from '../protocols/http-head.ts';
import { isMediaType } from '../protocols/http-body.ts';
import { decodeBody, encodeBody, type BodyCodec } from './body-codec.ts';

/** A body as the case stores it; `len` is its length before the case's own codec. */
export interface EncodedBody {
  codec: BodyCodec;
  data: Buffer;
  len: number;
}

/**
 * JSON text: a string, or its UTF-8 bytes. An exchange read back from a record batch
 * (record-batch.ts) holds the bytes as the batch carried them, a view of the batch, and
 * the case store binds them as a blob that its INSERT casts to text: decoding them into
 * a string only for SQLite to encode it back to UTF-8 cost the thread that owns the case
 * 0.09 s per GB of real web traffic (83 MB of header text; the whole process 0.13 s of
 * CPU, medians of eight alternating imports of the 1 GB replay).
 */
export type JsonText = string | Buffer;

/** An HttpRecord with its headers as JSON text and its bodies encoded. */
export interface PreparedHttp extends Omit<HttpRecord, 'requestHeaders' | 'requestBody' | 'responseHeaders' | 'responseBody'> {
  requestHeadersJson: JsonText;
  /** Null when the record had none; an empty body stays an empty (raw) body. */
  requestBody: EncodedBody | null;
  responseHeadersJson: JsonText | null;
  responseBody: EncodedBody | null;
}

function encoded(body: Buffer | null, keepRaw: boolean): EncodedBody | null {
  if (body === null) return null;
  // A body kept as sent is compressed already: compressing it again gains nothing.
  if (keepRaw || body.length === 0) return { codec: 'raw', data: body, len: body.length };
  const e = encodeBody(body);
  return { codec: e.codec, data: e.data, len: body.length };
}

/** The four fields of `r` that the case store keeps in another form than the record's (headers as strings). */
export interface PreparedParts extends Pick<PreparedHttp, 'requestBody' | 'responseBody'> {
  requestHeadersJson: string;
  responseHeadersJson: string | null;
}

/**
 * The headers of `r` serialised and its bodies encoded, without the rest of the record:
 * the batch encoder (record-batch.ts) writes the other fields from the record itself,
 * where copying them into a new object first cost the dissect worker about 70 ms per GB
 * of real web traffic (BatchingSink.http over the replay's 88,894 exchanges: 600 → 530 ms).
 */
export function prepareHttpParts(r: HttpRecord): PreparedParts {
  const { responseHeaders, responseBody } = r;
  return {
    requestHeadersJson: JSON.stringify(r.requestHeaders),
    requestBody: encoded(r.requestBody, false),
    responseHeadersJson: responseHeaders === null ? null : JSON.stringify(responseHeaders),
    // Pictures, sound and fonts are compressed formats already: brotli would only cost time.
    responseBody: encoded(responseBody, (r.responseBodyEncoding ?? null) !== null
      || (responseBody !== null && responseHeaders !== null && isMediaType(headerValue(responseHeaders, 'content-type')))),
  };
}

/** Serialise the headers and encode the bodies of `r` for the case store. */
export function prepareHttp(r: HttpRecord): PreparedHttp {
  const { requestHeaders: _q, requestBody: _qb, responseHeaders: _s, responseBody: _sb, ...rest } = r;
  // Into `rest`, a fresh object already: one allocation fewer per exchange on this path.
  return Object.assign(rest, prepareHttpParts(r));
}

function parseHeaders(json: JsonText): HttpRecord['requestHeaders'] {
  return JSON.parse(typeof json === 'string' ? json : json.toString('utf8')) as HttpRecord['requestHeaders'];
}

/** The record `prepareHttp` was given, back (for sinks other than the case store). */
export function unprepareHttp(p: PreparedHttp): HttpRecord {
  const { requestHeadersJson, requestBody, responseHeadersJson, responseBody, ...rest } = p;
  return {
    ...rest,
    requestHeaders: parseHeaders(requestHeadersJson),
    requestBody: requestBody === null ? null : decodeBody(requestBody.codec, requestBody.data),
    responseHeaders: responseHeadersJson === null ? null : parseHeaders(responseHeadersJson),
    responseBody: responseBody === null ? null : decodeBody(responseBody.codec, responseBody.data),
  };
}
