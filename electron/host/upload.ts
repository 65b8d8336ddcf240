/**
 * Uploads into the case folder: a raw body named by an `X-Filename` header, or a
 * multipart/form-data body with one or more files. Each file is streamed to disk
 * (never held whole), hashed while it is written, created exclusively (an existing
 * file is never overwritten: the name gets -1, -2 … instead) and removed again if the
 * upload does not complete.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { extname, join } from 'node:path';
import type { UploadedFile } from '../../shared/model.ts';
import { MultipartError, MultipartReader, multipartBoundary } from './multipart.ts';

/** Why an upload was refused, with the HTTP status to answer. */
export class UploadError extends Error {
  override name = 'UploadError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const MAX_NAME_CHARS = 120;
/**
 * File systems limit names to 255 bytes, not characters: a name of 120 CJK characters is
 * 360 UTF-8 bytes. Keep the stem within this many bytes, leaving room for the extension
 * (≤ 24) and a `-NNNN` collision suffix.
 */
const MAX_STEM_BYTES = 200;

/** The longest prefix of `s` whose UTF-8 encoding fits in `max` bytes, never splitting a character. */
function cutToBytes(s: string, max: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) break;
    bytes += n;
    out += ch;
  }
  return out;
}
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;
const MAX_SUFFIX = 10_000;

/**
 * A file name safe to create in the case folder: no directories, no control or
 * shell-special characters, no leading dot, not a Windows device name, not too long.
 */
export function sanitizeFileName(raw: string): string {
  // Browsers send only the base name, but a hand-made request may send a path.
  const base = raw.split(/[/\\]/).pop() ?? '';
  let name = base.normalize('NFC').replace(/[^\p{L}\p{N} ._+\-(),@]/gu, '_').replace(/\s+/g, ' ').trim();
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (name === '') name = 'upload';
  const ext = fullExtension(name);
  let stem = name.slice(0, name.length - ext.length);
  if (WINDOWS_RESERVED.test(stem)) stem = `_${stem}`;
  if (stem === '') stem = 'upload';
  const room = Math.max(1, MAX_NAME_CHARS - ext.length);
  return `${cutToBytes([...stem].slice(0, room).join(''), MAX_STEM_BYTES)}${cutToBytes(ext, 24)}`;
}

/** The extension to keep when renaming: `.pcap.gz` counts as one. */
function fullExtension(name: string): string {
  const ext = extname(name);
  if (ext.toLowerCase() === '.gz') {
    const inner = extname(name.slice(0, -ext.length));
    if (inner.length > 1 && inner.length <= 8) return `${inner}${ext}`;
  }
  return ext;
}

/** `name`, then `stem-1.ext`, `stem-2.ext`, …  */
function candidateName(name: string, n: number): string {
  if (n === 0) return name;
  const ext = fullExtension(name);
  return `${name.slice(0, name.length - ext.length)}-${n}${ext}`;
}

/** Create a new file in `dir` under the first free variant of `name` (exclusive create, so no race overwrites). */
export async function createUnique(dir: string, name: string): Promise<{ handle: FileHandle; storedName: string; path: string }> {
  for (let n = 0; n < MAX_SUFFIX; n++) {
    const storedName = candidateName(name, n);
    const path = join(dir, storedName);
    try {
      return { handle: await open(path, 'wx', 0o644), storedName, path };
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') continue;
      throw e;
    }
  }
  throw new UploadError(409, `too many files named like ${name} in the case folder`);
}

/** A file being received: written and hashed chunk by chunk. */
class Sink {
  readonly originalName: string;
  readonly storedName: string;
  readonly path: string;
  private readonly handle: FileHandle;
  private readonly hash = createHash('sha256');
  size = 0;
  private closed = false;

  constructor(originalName: string, created: { handle: FileHandle; storedName: string; path: string }) {
    this.originalName = originalName;
    this.storedName = created.storedName;
    this.path = created.path;
    this.handle = created.handle;
  }

  async write(bytes: Buffer): Promise<void> {
    this.hash.update(bytes);
    this.size += bytes.length;
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, off, bytes.length - off);
      off += bytesWritten;
    }
  }

  async finish(): Promise<UploadedFile> {
    await this.handle.sync();
    await this.close();
    return { originalName: this.originalName, storedName: this.storedName, path: this.path, size: this.size, sha256: this.hash.digest('hex') };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  /** Close and delete a file whose upload did not complete. */
  async discard(): Promise<void> {
    try { await this.close(); } catch { /* already closed or broken: removing it matters more */ }
    try { await unlink(this.path); } catch { /* nothing to remove */ }
  }
}

export interface UploadOptions {
  /** Folder the files go to (created if needed). */
  dir: string;
  /** Largest total body accepted, in bytes. */
  maxBytes: number;
  /** Most files in one multipart upload. */
  maxFiles?: number;
}

/** Decode the X-Filename header: percent-encoded UTF-8 (headers themselves are Latin-1). */
export function headerFileName(value: string | string[] | undefined): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    return decodeURIComponent(value.trim());
  } catch {
    return value.trim();
  }
}

/** Receive the files of one upload request; on any failure nothing partial stays on disk. */
export async function receiveUpload(req: IncomingMessage, opts: UploadOptions): Promise<UploadedFile[]> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    throw new UploadError(413, `upload of ${declared} bytes exceeds the limit of ${opts.maxBytes} bytes (see --max-upload)`);
  }
  mkdirSync(opts.dir, { recursive: true });
  const boundary = multipartBoundary(req.headers['content-type']);
  const done: UploadedFile[] = [];
  let current: Sink | null = null;
  let total = 0;
  const countBytes = (n: number): void => {
    total += n;
    if (total > opts.maxBytes) throw new UploadError(413, `upload exceeds the limit of ${opts.maxBytes} bytes (see --max-upload)`);
  };
  try {
    if (boundary === null) {
      const original = headerFileName(req.headers['x-filename']);
      if (original === null) {
        throw new UploadError(400, 'an upload needs an X-Filename header (raw body) or a multipart/form-data body');
      }
      current = new Sink(original, await createUnique(opts.dir, sanitizeFileName(original)));
      for await (const chunk of req as AsyncIterable<Buffer>) {
        countBytes(chunk.length);
        await current.write(chunk);
      }
      done.push(await current.finish());
      current = null;
    } else {
      const reader = new MultipartReader(boundary);
      const maxFiles = opts.maxFiles ?? 1000;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        countBytes(chunk.length);
        for (const ev of reader.push(chunk)) {
          if (ev.type === 'part') {
            if (ev.headers.filename === null) continue;
            if (done.length >= maxFiles) throw new UploadError(413, `more than ${maxFiles} files in one upload`);
            current = new Sink(ev.headers.filename, await createUnique(opts.dir, sanitizeFileName(ev.headers.filename)));
          } else if (ev.type === 'data') {
            if (current !== null) await current.write(ev.bytes);
          } else if (ev.type === 'part-end') {
            if (current !== null) done.push(await current.finish());
            current = null;
          }
        }
      }
      reader.finish();
      if (done.length === 0) throw new UploadError(400, 'the multipart upload holds no file');
    }
    return done;
  } catch (e) {
    await current?.discard();
    for (const f of done) {
      try { await unlink(f.path); } catch { /* already gone */ }
    }
    if (e instanceof MultipartError) throw new UploadError(400, e.message);
    throw e;
  }
}
