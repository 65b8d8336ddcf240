/**
 * Content-Encoding decoding of HTTP bodies (gzip, deflate as zlib or raw, br, zstd,
 * stacked in any order) with a hard cap on the decoded size. A decompression bomb
 * stops at the cap; a cut or damaged stream yields what decodes before the damage.
 */
import zlib from 'node:zlib';

/** Decoded bytes kept per body. */
export const DECODED_CAP = 8 * 1024 * 1024;

export interface DecodedBody {
  body: Buffer;
  /** True when output stopped at the cap or at damaged/missing input. */
  truncated: boolean;
  /** Why decoding stopped early or failed, or null. */
  error: string | null;
}

type Decoder = (input: Buffer, cap: number) => Buffer;

const zFlush = zlib.constants.Z_SYNC_FLUSH;
const brFlush = zlib.constants.BROTLI_OPERATION_FLUSH;

/** zlib header test (RFC 1950): CM 8, window ≤ 32K, FCHECK makes the pair a multiple of 31. */
function hasZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0] & 0x0f) === 8 && (b[0] >> 4) <= 7 && ((b[0] << 8) | b[1]) % 31 === 0;
}

const gunzip: Decoder = (input, cap) => zlib.gunzipSync(input, { finishFlush: zFlush, maxOutputLength: cap });
// "deflate" is meant to be zlib-wrapped, but servers have long sent raw DEFLATE too.
const inflate: Decoder = (input, cap) => hasZlibHeader(input)
  ? zlib.inflateSync(input, { finishFlush: zFlush, maxOutputLength: cap })
  : zlib.inflateRawSync(input, { finishFlush: zFlush, maxOutputLength: cap });
const unbrotli: Decoder = (input, cap) => zlib.brotliDecompressSync(input, { finishFlush: brFlush, maxOutputLength: cap });

type ZstdSync = (input: Buffer, opts: { maxOutputLength: number }) => Buffer;
const zstdSync = (zlib as unknown as { zstdDecompressSync?: ZstdSync }).zstdDecompressSync;
const unzstd: Decoder | null = zstdSync ? (input, cap) => zstdSync(input, { maxOutputLength: cap }) : null;

function decoderFor(coding: string): Decoder | null {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return gunzip;
    case 'deflate':
      return inflate;
    case 'br':
      return unbrotli;
    case 'zstd':
      return unzstd;
    default:
      return null;
  }
}

/**
 * Codings named by a Content-Encoding value, in the order they were applied
 * ("identity" and empty items dropped, lower case).
 */
export function parseCodings(value: string | null): string[] {
  if (value === null) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const c = part.trim().toLowerCase();
    if (c.length > 0 && c !== 'identity') out.push(c);
  }
  return out;
}

/**
 * Run one decoder with the cap. When it fails (cap hit or bad data), find by bisection
 * the longest input prefix that decodes within the cap: output grows with the prefix,
 * so this keeps as much as can be trusted while memory stays bounded by the cap. Past
 * the cap the search stops within 1/64 of the input: every step decodes up to the cap
 * again, and bodies are now also decoded when an investigator opens them, where a
 * crafted body must not cost seconds per click.
 */
function bounded(dec: Decoder, input: Buffer, cap: number): DecodedBody & { overCap: boolean } {
  try {
    return { body: dec(input, cap), truncated: false, error: null, overCap: false };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const overCap = err.code === 'ERR_BUFFER_TOO_LARGE';
    const error = overCap ? `decoded size exceeds the ${cap}-byte cap` : err.message;
    let lo = 0;
    let hi = input.length - 1;
    let best: Buffer = Buffer.alloc(0);
    const slack = overCap ? Math.max(1, input.length >> 6) : 0;
    while (lo <= hi && (slack === 0 || hi - lo >= slack || best.length === 0)) {
      const mid = (lo + hi) >>> 1;
      try {
        best = dec(input.subarray(0, mid), cap);
        lo = mid + 1;
      } catch {
        hi = mid - 1;
      }
    }
    return { body: best, truncated: true, error, overCap };
  }
}

/**
 * Undo the content codings of `raw` (applied in list order, so undone last first).
 * Unknown codings stop decoding and return the bytes as far as they were decoded.
 */
export function decodeContent(raw: Buffer, codings: string[], cap = DECODED_CAP): DecodedBody {
  let body = raw;
  let truncated = false;
  let error: string | null = null;
  for (let k = codings.length - 1; k >= 0; k--) {
    const dec = decoderFor(codings[k]);
    if (dec === null) {
      return { body, truncated, error: `content-coding '${codings[k]}' is not supported; body kept as far as decoded` };
    }
    if (body.length === 0) break;
    const r = bounded(dec, body, cap);
    if (r.error !== null && r.body.length === 0) {
      // Nothing trustworthy came out (brotli emits nothing before a whole meta-block,
      // so a brotli bomb lands here too): keep the bytes as they were at this stage.
      return { body, truncated: truncated || r.overCap, error: `content-coding '${codings[k]}' could not be decoded (${r.error}); body kept as far as decoded` };
    }
    body = r.body;
    if (r.truncated) {
      // Later stages still get the partial output: sync flushing decodes what it can.
      truncated = true;
      error ??= `content-coding '${codings[k]}': ${r.error}`;
    }
  }
  return { body, truncated, error };
}

// ---- what the case keeps of a response body -------------------------------------------
//
// Response bodies are context (what the server sent), not what leaves the device, and on
// real web traffic they are most of the bytes: a replay of real HTTP traffic spent most
// of its import inflating gzip responses only to re-compress them for the case, and
// writing images into it. So a compressed response is kept as sent (decoded when read,
// with the same cap), and a large media body is kept as its SHA-256 and size only: the
// original capture, identified by its own SHA-256, still holds it. Request bodies are
// always kept decoded: they are what the findings read.

/** Media bodies up to this size (tracking pixels, icons) are kept anyway. */
export const MEDIA_KEEP_BYTES = 4096;

/** Content codings decodeContent undoes: a response with only these is kept encoded. */
export function decodableCodings(codings: readonly string[]): boolean {
  if (codings.length === 0) return false;
  for (const c of codings) if (decoderFor(c) === null) return false;
  return true;
}

const MEDIA_TYPES = new Set([
  'application/font-woff', 'application/font-woff2', 'application/x-font-ttf', 'application/x-font-woff',
  'application/x-font-otf', 'application/vnd.ms-fontobject', 'application/x-shockwave-flash',
]);

/** True for Content-Types whose bodies are pictures, sound, video or fonts. */
export function isMediaType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const semi = contentType.indexOf(';');
  const t = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  // SVG is text (and can carry scripts): kept like any other text.
  if (t === 'image/svg+xml') return false;
  return t.startsWith('image/') || t.startsWith('audio/') || t.startsWith('video/') || t.startsWith('font/') || MEDIA_TYPES.has(t);
}

/** A record's response body with the codings it was kept with undone (null when none or not kept). */
export function decodedResponseBody(r: { responseBody: Buffer | null; responseBodyEncoding?: string | null }): DecodedBody | null {
  if (r.responseBody === null) return null;
  const enc = r.responseBodyEncoding ?? null;
  if (enc === null) return { body: r.responseBody, truncated: false, error: null };
  return decodeContent(r.responseBody, parseCodings(enc));
}
