/**
 * Read-only, streaming access to an input file: decoded chunks for the readers
 * (gunzipped on the fly when the file is gzip) and a SHA-256 over the original bytes.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Size of each raw read; large reads keep syscalls and per-chunk work rare. */
export const RAW_CHUNK = 4 * 1024 * 1024;
/** Output buffer size of the gunzip stream. */
const GUNZIP_CHUNK = 1024 * 1024;

export interface FileSource extends AsyncIterable<Buffer> {
  readonly path: string;
  /** Size of the file on disk (compressed size for gzip). */
  readonly size: number;
  /** True when the file starts with the gzip magic and chunks are gunzipped. */
  readonly gzip: boolean;
  /** Original (on-disk) bytes read so far: the progress measure. */
  readonly rawBytesRead: number;
  /** Decoded bytes handed out so far. */
  readonly decodedBytes: number;
  /** Decoded chunks, in order. Iterate once. Throws on I/O or gzip errors. */
  chunks(): AsyncGenerator<Buffer, void, undefined>;
  /**
   * SHA-256 (hex) of the whole original file. Reads, for hashing only, whatever the
   * chunk iteration did not reach (a reader may stop early on a fatal error).
   */
  digest(): Promise<string>;
  /**
   * Read, without decoding, whatever the chunk iteration did not reach (through the
   * raw tee, if any): a consumer that stops early still lets the tee see the whole file.
   */
  readRest(): Promise<void>;
  /** Whether the file still has the size and modification time it had when opened, and all of it was read. */
  unchanged(): Promise<boolean>;
  /** Release the file handle. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Where raw (on-disk) chunks are read into when another thread must see the same bytes
 * (the pipelined import's hash ring): each read goes into the buffer `next()` returns,
 * then `filled()` says how many bytes it holds. A plain file's chunks are then views of
 * those buffers, valid until the next chunk is asked for (as with `reuseBuffer`).
 */
export interface RawTee {
  /** The buffer to read the next raw chunk into (RAW_CHUNK bytes at least). */
  next(): Buffer;
  /** The buffer last returned by next() now holds `n` bytes of the file (n > 0). */
  filled(n: number): void;
}

export interface OpenSourceOptions {
  /** Hash the bytes as they are read (default true); without it `digest()` rejects. */
  hash?: boolean;
  /**
   * Read the chunks of an uncompressed file into two buffers in turn (one is filled
   * ahead while the other is in use), so a chunk is valid only until the next one is
   * asked for. Saves allocating (and the kernel zeroing) 4 MiB per chunk; only for
   * consumers that keep nothing, like the packet readers.
   */
  reuseBuffer?: boolean;
  /** Read raw chunks into these buffers (see RawTee); implies reuseBuffer for plain files. */
  tee?: RawTee;
}

/** Open `path` read-only (flag 'r') and prepare streaming reads; the file is never modified. */
export async function openSource(path: string, opts: OpenSourceOptions = {}): Promise<FileSource> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    const magic = Buffer.alloc(2);
    const { bytesRead } = await fh.read(magic, 0, 2, 0);
    const gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    return new Source(path, fh, st, gzip, opts.hash !== false, opts.reuseBuffer === true && !gzip, opts.tee ?? null);
  } catch (e) {
    await fh.close();
    throw e;
  }
}

class Source implements FileSource {
  readonly path: string;
  readonly size: number;
  readonly gzip: boolean;
  rawBytesRead = 0;
  decodedBytes = 0;
  private readonly fh: FileHandle;
  private readonly hash: Hash | null;
  private hashing: Promise<string> | null = null;
  private closed = false;
  private started = false;
  /** Raw reads are chained so `digest()` never races an in-flight read. */
  private lock: Promise<unknown> = Promise.resolve();

  /**
   * The two read buffers, used in turn, when chunks may reuse them, else null (a fresh
   * buffer per chunk). Two because of the read-ahead: chunk k+1 is read while chunk k is
   * in use, and chunk k+2 only once chunk k+1 was asked for (chunk k is then done with).
   */
  private readonly shared: [Buffer, Buffer] | null;
  private reads = 0;
  private readonly tee: RawTee | null;
  private readonly mtimeMs: number;

  constructor(path: string, fh: FileHandle, st: Stats, gzip: boolean, hash: boolean, reuse: boolean, tee: RawTee | null) {
    this.path = path;
    this.fh = fh;
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
    this.gzip = gzip;
    this.hash = hash ? createHash('sha256') : null;
    this.tee = tee;
    this.shared = reuse && tee === null ? [Buffer.allocUnsafe(RAW_CHUNK), Buffer.allocUnsafe(RAW_CHUNK)] : null;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this.chunks();
  }

  /** Next raw chunk (hashed on the way), or null at end of file. */
  private readRaw(): Promise<Buffer | null> {
    const p = this.lock.then(async () => {
      if (this.closed) return null;
      const tee = this.tee;
      const buf = tee?.next() ?? this.shared?.[this.reads++ & 1] ?? Buffer.allocUnsafe(RAW_CHUNK);
      const { bytesRead } = await this.fh.read(buf, 0, RAW_CHUNK, this.rawBytesRead);
      if (bytesRead === 0) return null;
      let chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      this.hash?.update(chunk);
      this.rawBytesRead += bytesRead;
      if (tee !== null) {
        tee.filled(bytesRead);
        // The gunzip stream may hold on to its input: give it bytes the tee will not reuse.
        if (this.gzip) chunk = Buffer.from(chunk);
      }
      return chunk;
    });
    this.lock = p.catch(() => undefined);
    return p;
  }

  async *chunks(): AsyncGenerator<Buffer, void, undefined> {
    if (this.started) throw new Error('a file source can be iterated only once');
    this.started = true;
    if (!this.gzip) {
      // Read-ahead: the next chunk is read (by libuv's thread pool) while the consumer
      // parses this one. Waiting for each read in turn left the dissect worker idle for
      // 0.9–1.5 s per GB on a busy two-core machine. A read that fails is reported
      // when its chunk is asked for, as before; one nobody asks for is only caught.
      let next = this.readRaw();
      for (;;) {
        const c = await next;
        if (c === null) return;
        next = this.readRaw();
        next.catch(() => undefined);
        this.decodedBytes += c.length;
        yield c;
      }
    }
    const self = this;
    async function* raw(): AsyncGenerator<Buffer> {
      for (;;) {
        const c = await self.readRaw();
        if (c === null) return;
        yield c;
      }
    }
    const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
    // Readable.from + pipe keeps memory bounded by stream backpressure.
    const input = Readable.from(raw(), { objectMode: false, highWaterMark: 1 });
    input.on('error', (e) => gunzip.destroy(e));
    input.pipe(gunzip);
    try {
      for await (const c of gunzip as AsyncIterable<Buffer>) {
        this.decodedBytes += c.length;
        yield c;
      }
    } catch (e) {
      const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
      if (typeof code !== 'string' || !code.startsWith('Z_')) throw e; // I/O errors pass through as they are
      const msg = e instanceof Error ? e.message : String(e);
      // Name where it broke: trailing junk after the last member and mid-stream damage read alike in zlib.
      throw new Error(`gzip data is damaged after ${gunzip.bytesWritten} compressed bytes (${this.decodedBytes} bytes decoded): ${msg}`, { cause: e });
    } finally {
      input.unpipe(gunzip);
      input.destroy();
      gunzip.destroy();
    }
  }

  digest(): Promise<string> {
    // One hashing pass, however many callers ask (and however often).
    this.hashing ??= this.hashRest();
    return this.hashing;
  }

  private async hashRest(): Promise<string> {
    if (this.closed) throw new Error('digest() called after close(): the hash would be partial');
    if (this.hash === null) throw new Error('digest() called on a source opened without hashing');
    while ((await this.readRaw()) !== null) { /* hash the rest */ }
    return this.hash.digest('hex');
  }

  async readRest(): Promise<void> {
    while ((await this.readRaw()) !== null) { /* only for the tee */ }
  }

  async unchanged(): Promise<boolean> {
    await this.lock;
    const st = await this.fh.stat();
    return st.size === this.size && st.mtimeMs === this.mtimeMs && this.rawBytesRead === this.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock;
    this.closed = true;
    await this.fh.close();
  }
}
