/**
 * Compression of HTTP bodies kept in the case. Brotli was measured faster than deflate
 * level 1 at a similar ratio, and quality 0 faster than quality 1 (real HTML and scripts
 * ≈250 vs 200 MB/s, generated HTML ≈300 vs 160 MB/s) for a ratio of 0.38 instead of
 * 0.37: on the import's busiest thread the time matters more than 3 % of the bytes.
 *
 * Each brotliCompressSync call builds a fresh encoder, which costs about 35 µs before
 * the first byte: more than compressing a small form POST. So small bodies are kept
 * raw (a few hundred bytes each, well under one database page), and incompressible
 * bodies are recognised by the byte entropy of a sample instead of a trial compression.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

export type BodyCodec = 'raw' | 'br';

/** Below this size a body is stored raw: the encoder's set-up costs more than the bytes saved. */
export const MIN_COMPRESS = 1024;
/** Bodies larger than this are sampled before compressing the whole thing. */
const SAMPLE = 4096;
/**
 * Order-0 entropy (bits per byte) above which a sample is taken as incompressible:
 * text, JSON and markup stay below 6, base64 near 6, compressed or encrypted media
 * near 8. Brotli saves under a tenth of such data.
 */
const MAX_ENTROPY = 7.2;

const counts = new Uint32Array(256);

/** Order-0 entropy of b[from, from + n) in bits per byte. */
function entropy(b: Buffer, from: number, n: number): number {
  counts.fill(0);
  for (let i = from, end = from + n; i < end; i++) counts[b[i]]++;
  let sum = 0;
  for (let i = 0; i < 256; i++) {
    const c = counts[i];
    if (c !== 0) sum += c * Math.log2(c);
  }
  return Math.log2(n) - sum / n;
}

function brotli(data: Buffer): Buffer {
  return brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 0,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
}

/**
 * Encode a body for storage. Small bodies and incompressible ones (images,
 * already-compressed media) are stored raw, so they cost a copy only.
 */
export function encodeBody(body: Buffer): { codec: BodyCodec; data: Buffer } {
  if (body.length < MIN_COMPRESS) return { codec: 'raw', data: body };
  // The middle, not the start: headers of media files and multipart parts are text-like.
  if (body.length > SAMPLE * 2 && entropy(body, (body.length - SAMPLE) >>> 1, SAMPLE) > MAX_ENTROPY) return { codec: 'raw', data: body };
  const packed = brotli(body);
  if (packed.length >= body.length) return { codec: 'raw', data: body };
  return { codec: 'br', data: packed };
}

/** Decode a stored body back to the bytes the dissector produced. */
export function decodeBody(codec: BodyCodec, data: Buffer): Buffer {
  return codec === 'br' ? brotliDecompressSync(data) : data;
}
