/**
 * A streaming multipart/form-data reader (RFC 7578): it turns body chunks into part
 * headers and body slices without ever holding a whole part, so an upload of any
 * size costs the memory of one chunk plus one delimiter.
 */

export interface PartHeaders {
  /** Form field name. */
  name: string | null;
  /** File name as sent (not yet sanitised), null for a plain field. */
  filename: string | null;
  contentType: string | null;
}

export type MultipartEvent =
  | { type: 'part'; headers: PartHeaders }
  | { type: 'data'; bytes: Buffer }
  | { type: 'part-end' }
  | { type: 'end' };

export class MultipartError extends Error {
  override name = 'MultipartError';
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary parameter of a multipart Content-Type, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  const [type, ...params] = contentType.split(';');
  if (type.trim().toLowerCase() !== 'multipart/form-data') return null;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq === -1 || p.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    // RFC 2046: 1 to 70 characters.
    return v.length >= 1 && v.length <= 70 ? v : null;
  }
  return null;
}

/** Value of one parameter in a header like Content-Disposition, with RFC 5987 filename* preferred. */
function dispositionParams(value: string): { name: string | null; filename: string | null } {
  let name: string | null = null;
  let filename: string | null = null;
  let filenameStar: string | null = null;
  // Split on ';' outside quotes.
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (c === ';' && !quoted) {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (key === 'name') name = v;
    else if (key === 'filename') filename = v;
    else if (key === 'filename*') {
      const m = /^utf-8''(.*)$/i.exec(v);
      if (m) {
        try { filenameStar = decodeURIComponent(m[1]); } catch { filenameStar = null; }
      }
    }
  }
  return { name, filename: filenameStar ?? filename };
}

function parseHeaders(block: Buffer): PartHeaders {
  // Browsers send UTF-8 file names raw in the header block.
  const text = block.toString('utf8');
  const out: PartHeaders = { name: null, filename: null, contentType: null };
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') Object.assign(out, dispositionParams(value));
    else if (key === 'content-type') out.contentType = value;
  }
  return out;
}

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';

export class MultipartReader {
  private readonly delimiter: Buffer;
  private pending: Buffer;
  private state: State = 'preamble';

  constructor(boundary: string) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    // The first delimiter has no CRLF before it; pretending it does makes every delimiter alike.
    this.pending = Buffer.from(CRLF);
  }

  /** True once the closing delimiter was read. */
  get done(): boolean {
    return this.state === 'done';
  }

  /** Feed one chunk; returns what it completes, in order. */
  push(chunk: Buffer): MultipartEvent[] {
    const events: MultipartEvent[] = [];
    if (this.state === 'done') return events;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.state === 'preamble') {
        const at = this.pending.indexOf(this.delimiter);
        if (at === -1) {
          this.keepTail();
          return events;
        }
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.state = 'after-delimiter';
      } else if (this.state === 'after-delimiter') {
        if (this.pending.length < 2) return events;
        if (this.pending[0] === 0x2d && this.pending[1] === 0x2d) {
          this.state = 'done';
          this.pending = Buffer.alloc(0);
          events.push({ type: 'end' });
          return events;
        }
        // Transport padding (spaces, tabs) may precede the CRLF after a delimiter.
        const eol = this.pending.indexOf(CRLF);
        if (eol === -1) {
          if (this.pending.length > 256) throw new MultipartError('malformed multipart body: no line end after a boundary');
          return events;
        }
        this.pending = this.pending.subarray(eol + 2);
        this.state = 'headers';
      } else if (this.state === 'headers') {
        // A part without headers starts with the blank line straight away.
        if (this.pending.length >= 2 && this.pending[0] === 0x0d && this.pending[1] === 0x0a) {
          this.pending = this.pending.subarray(2);
          events.push({ type: 'part', headers: { name: null, filename: null, contentType: null } });
          this.state = 'body';
          continue;
        }
        const end = this.pending.indexOf(HEADER_END);
        if (end === -1) {
          if (this.pending.length > MAX_HEADER_BYTES) throw new MultipartError('multipart part headers are too long');
          return events;
        }
        events.push({ type: 'part', headers: parseHeaders(this.pending.subarray(0, end)) });
        this.pending = this.pending.subarray(end + HEADER_END.length);
        this.state = 'body';
      } else if (this.state === 'body') {
        const at = this.pending.indexOf(this.delimiter);
        if (at === -1) {
          // Everything except what could be the start of a delimiter is part data.
          const safe = this.pending.length - (this.delimiter.length - 1);
          if (safe > 0) {
            events.push({ type: 'data', bytes: this.pending.subarray(0, safe) });
            this.pending = this.pending.subarray(safe);
          }
          this.own();
          return events;
        }
        if (at > 0) events.push({ type: 'data', bytes: this.pending.subarray(0, at) });
        events.push({ type: 'part-end' });
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.state = 'after-delimiter';
      } else {
        return events;
      }
    }
  }

  /** Call when the body ended; throws when the closing delimiter never came. */
  finish(): void {
    if (this.state !== 'done') throw new MultipartError('multipart body ended before its closing boundary');
  }

  private keepTail(): void {
    const keep = this.delimiter.length - 1;
    if (this.pending.length > keep) this.pending = this.pending.subarray(this.pending.length - keep);
    this.own();
  }

  /** Copy the small remainder so it does not pin the whole chunk it came from. */
  private own(): void {
    this.pending = Buffer.from(this.pending);
  }
}
