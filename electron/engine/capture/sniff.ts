/** Decide a capture's format from its first bytes (never from its name). */
import { gunzipSync, constants as zc } from 'node:zlib';
import type { SniffedFormat } from './types.ts';

/** How many leading bytes a caller should hand to `sniffFormat`. */
export const SNIFF_BYTES = 4096;

const EXPECTED = '(expected pcap, pcapng, gzip or HAR/JSON)';
const EXPECTED_INSIDE = '(expected pcap, pcapng or HAR/JSON inside the gzip)';
const GZIP_IN_GZIP = 'gzip inside gzip: the file was compressed twice, which is not supported; decompress it once (gunzip) and import the result';

/**
 * Classify a file by its leading bytes: classic pcap (µs/ns, either byte order),
 * pcapng, HAR (any JSON object, optionally behind a UTF-8 BOM) or gzip. For gzip the
 * head is partially inflated and sniffed again, so the result names the inner format
 * with `gzip: true` when the head holds enough of it.
 */
export function sniffFormat(head: Buffer): SniffedFormat {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const inner = inflateHead(head);
    if (inner === null) {
      return { kind: 'unknown', gzip: true, reason: 'gzip data is damaged at its very start' };
    }
    if (inner.length === 0) {
      return { kind: 'unknown', gzip: true, reason: 'gzip-compressed; too little of it was given to see the inner format' };
    }
    return sniffDecoded(inner, true);
  }
  return sniffPlain(head);
}

/**
 * Classify the first bytes a FileSource yields, which are already gunzipped when the
 * file was gzip: a gzip magic there is a second layer, not the file's own.
 */
export function sniffDecoded(head: Buffer, gzip: boolean): SniffedFormat {
  if (!gzip) return sniffFormat(head);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    return { kind: 'unknown', gzip: true, reason: GZIP_IN_GZIP };
  }
  const r = sniffPlain(head, EXPECTED_INSIDE);
  return r.kind === 'unknown'
    ? { kind: 'unknown', gzip: true, reason: `gzip-compressed, but ${r.reason}` }
    : { kind: r.kind, gzip: true };
}

function sniffPlain(head: Buffer, expected = EXPECTED): SniffedFormat {
  if (head.length >= 4) {
    const m = head.readUInt32BE(0);
    // Both byte orders of the µs (a1b2c3d4) and ns (a1b23c4d) classic magics.
    if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) {
      return { kind: 'pcap', gzip: false };
    }
    if (m === 0x0a0d0d0a) return { kind: 'pcapng', gzip: false };
  }
  let i = 0;
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length) {
    const b = head[i];
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) { i++; continue; }
    if (b === 0x7b) return { kind: 'har', gzip: false };
    break;
  }
  if (head.length === 0) {
    return { kind: 'unknown', gzip: false, reason: `not a capture: the file is empty ${expected}` };
  }
  const shown = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return { kind: 'unknown', gzip: false, reason: `not a capture: starts with bytes ${shown} ${expected}` };
}

/** Inflate as much of a gzip head as is there; a sync flush makes a partial stream legal. */
function inflateHead(head: Buffer): Buffer | null {
  // 1 KiB of deflate input expands to at most ~1 MiB, which bounds this one-off cost.
  const input = head.subarray(0, 1024);
  try {
    return gunzipSync(input, { finishFlush: zc.Z_SYNC_FLUSH });
  } catch {
    return null;
  }
}
