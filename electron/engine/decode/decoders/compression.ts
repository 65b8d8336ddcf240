/**
 * gzip, zlib, raw deflate and brotli through node:zlib, always with an output cap so
 * a decompression bomb stops at the cap instead of filling memory. gzip and zlib are
 * recognised by their headers; raw deflate and brotli have none and are only tried when
 * a hint says so or on a probe that must come out as text.
 */
import {
  brotliDecompressSync,
  constants,
  gunzipSync,
  inflateRawSync,
  inflateSync,
  type BrotliOptions,
  type ZlibOptions,
} from 'node:zlib';

export type Codec = 'gzip' | 'zlib' | 'deflate' | 'brotli';

/** The codec announced by the first bytes (gzip or zlib header), or null. */
export function sniffCodec(buf: Buffer): Codec | null {
  if (buf.length < 10) return null;
  const b0 = buf[0];
  const b1 = buf[1];
  if (b0 === 0x1f && b1 === 0x8b && buf[2] === 0x08) return 'gzip';
  // zlib: CM = 8 (deflate), window ≤ 32 KiB, header checksum, no preset dictionary.
  if ((b0 & 0x0f) === 8 && b0 >> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0 && (b1 & 0x20) === 0) return 'zlib';
  return null;
}

/** Maps a Content-Encoding value to a codec. */
export function codecFromEncoding(enc: string | undefined): Codec | null {
  if (!enc) return null;
  const e = enc.trim().toLowerCase();
  if (e === 'gzip' || e === 'x-gzip') return 'gzip';
  // HTTP "deflate" means zlib-wrapped; some servers send raw deflate instead, which
  // the caller tries next.
  if (e === 'deflate') return 'zlib';
  if (e === 'br') return 'brotli';
  return null;
}

export type Decompressed =
  | { ok: true; bytes: Buffer; truncated: boolean; codec: Codec }
  | { ok: false; tooLarge: boolean; error: string };

function run(codec: Codec, buf: Buffer, maxOut: number, partial: boolean): Buffer {
  if (codec === 'brotli') {
    const o: BrotliOptions = { maxOutputLength: maxOut };
    if (partial) o.finishFlush = constants.BROTLI_OPERATION_FLUSH;
    return brotliDecompressSync(buf, o);
  }
  const o: ZlibOptions = { maxOutputLength: maxOut };
  if (partial) o.finishFlush = constants.Z_SYNC_FLUSH;
  if (codec === 'gzip') return gunzipSync(buf, o);
  if (codec === 'zlib') return inflateSync(buf, o);
  return inflateRawSync(buf, o);
}

function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

/**
 * Decompresses `buf` into at most `maxOut` bytes. With `partial`, a stream cut short
 * (a capture gap) yields what it holds, marked `truncated`; without it such a stream
 * fails, which is what a guess needs (only a complete stream proves the codec).
 * Never throws.
 */
export function decompress(codec: Codec, buf: Buffer, maxOut: number, partial: boolean): Decompressed {
  const cap = Math.max(1, Math.floor(maxOut));
  try {
    return { ok: true, bytes: run(codec, buf, cap, false), truncated: false, codec };
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, tooLarge: true, error: 'output over cap' };
    if (code === 'Z_BUF_ERROR' && partial) {
      // "unexpected end of file": keep the part that was there.
      try {
        const bytes = run(codec, buf, cap, true);
        if (bytes.length > 0) return { ok: true, bytes, truncated: true, codec };
      } catch (e2) {
        if (errorCode(e2) === 'ERR_BUFFER_TOO_LARGE') return { ok: false, tooLarge: true, error: 'output over cap' };
      }
    }
    return { ok: false, tooLarge: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Input bytes a probe decompresses: enough to judge the start of the output. */
const PROBE_IN = 512;
/** Output cap of a probe: 512 input bytes cannot inflate past ~530 KiB. */
const PROBE_OUT = 1024 * 1024;

/**
 * Decompresses the first bytes of `buf` as a headerless codec (raw deflate or brotli)
 * and returns what came out, or null. Used to decide whether a full try is worth it.
 */
export function probe(codec: 'deflate' | 'brotli', buf: Buffer): Buffer | null {
  if (codec === 'deflate') {
    // The first block's type must not be the reserved 3, and a stored block carries
    // its length twice (LEN, ~LEN): cheap checks before creating a zlib stream.
    const btype = (buf[0] >> 1) & 3;
    if (btype === 3) return null;
    if (btype === 0 && buf.length >= 5 && (buf[1] ^ buf[3]) !== 0xff) return null;
  }
  try {
    const out = run(codec, buf.length > PROBE_IN ? buf.subarray(0, PROBE_IN) : buf, PROBE_OUT, true);
    return out.length > 0 ? out : null;
  } catch {
    return null;
  }
}
