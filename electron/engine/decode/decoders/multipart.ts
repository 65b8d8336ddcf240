/**
 * multipart/form-data (and other multipart bodies): the boundary comes from the
 * Content-Type or is sniffed from the first line; each part's name, filename and
 * Content-Type come from its headers. Tolerant: LF-only line ends, a missing closing
 * delimiter (a cut body) and a missing preamble are all accepted.
 */

export interface MultipartPart {
  /** Content-Disposition name, else filename, else null. */
  name: string | null;
  filename: string | null;
  contentType: string | null;
  body: Buffer;
}

/** Parameter `param` of a header value such as `form-data; name="x"`. */
export function headerParam(value: string, param: string): string | null {
  const lower = value.toLowerCase();
  let from = 0;
  while (from < lower.length) {
    const i = lower.indexOf(param, from);
    if (i === -1) return null;
    from = i + param.length;
    // The parameter name must start after ';' or whitespace and be followed by '='.
    const before = i === 0 ? 0x3b : lower.charCodeAt(i - 1);
    let j = from;
    while (j < value.length && value.charCodeAt(j) === 0x20) j++;
    if ((before !== 0x3b && before !== 0x20 && before !== 0x09) || value.charCodeAt(j) !== 0x3d) continue;
    j++;
    while (j < value.length && value.charCodeAt(j) === 0x20) j++;
    if (value.charCodeAt(j) === 0x22) {
      let out = '';
      for (let k = j + 1; k < value.length; k++) {
        const c = value[k];
        if (c === '"') return out;
        if (c === '\\' && k + 1 < value.length) out += value[++k];
        else out += c;
      }
      return out;
    }
    let e = j;
    while (e < value.length && value.charCodeAt(e) !== 0x3b && value.charCodeAt(e) !== 0x20) e++;
    return value.slice(j, e);
  }
  return null;
}

/** The boundary declared by a multipart Content-Type, or null. */
export function boundaryFromContentType(ct: string | undefined): string | null {
  if (!ct || !ct.trim().toLowerCase().startsWith('multipart/')) return null;
  const b = headerParam(ct, 'boundary');
  return b && b.length > 0 && b.length <= 200 ? b : null;
}

function isBoundaryChar(c: number): boolean {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (c >= 0x27 && c <= 0x3a && c !== 0x2a) || c === 0x3d || c === 0x3f || c === 0x5f || c === 0x2b;
}

/**
 * The boundary of a body that starts with `--boundary` and a line end, with a part
 * header on the next line; null otherwise. RFC 2046 boundaries are 1–70 characters.
 */
export function sniffBoundary(buf: Buffer): string | null {
  if (buf.length < 8 || buf[0] !== 0x2d || buf[1] !== 0x2d) return null;
  let i = 2;
  while (i < buf.length && i < 74 && isBoundaryChar(buf[i])) i++;
  if (i === 2 || i >= buf.length) return null;
  if (buf[i] !== 0x0d && buf[i] !== 0x0a) return null;
  const next = buf.toString('latin1', i, Math.min(buf.length, i + 40)).trimStart().toLowerCase();
  if (!next.startsWith('content-')) return null;
  return buf.toString('latin1', 2, i);
}

/** Header lines are read byte for byte (Latin-1); names in them are UTF-8 in practice. */
function latin1ToUtf8(s: string | null): string | null {
  return s === null ? null : Buffer.from(s, 'latin1').toString('utf8');
}

function lineEnd(buf: Buffer, pos: number): number {
  if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) return pos + 2;
  if (buf[pos] === 0x0a) return pos + 1;
  return -1;
}

/** Splits a multipart body into at most `maxParts` parts, or null if the boundary never appears. */
export function parseMultipart(buf: Buffer, boundary: string, maxParts: number): { parts: MultipartPart[]; more: boolean } | null {
  const delim = Buffer.from('--' + boundary, 'latin1');
  let at = buf.indexOf(delim);
  if (at === -1) return null;
  const parts: MultipartPart[] = [];
  while (at !== -1) {
    let pos = at + delim.length;
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) break; // closing delimiter
    while (buf[pos] === 0x20 || buf[pos] === 0x09) pos++;
    const le = lineEnd(buf, pos);
    if (le === -1) break;
    if (parts.length >= maxParts) return { parts, more: true };
    // Headers up to the empty line.
    let name: string | null = null;
    let filename: string | null = null;
    let contentType: string | null = null;
    pos = le;
    for (;;) {
      const end = lineEnd(buf, pos);
      if (end !== -1 || pos >= buf.length) {
        pos = end === -1 ? buf.length : end;
        break;
      }
      let eol = buf.indexOf(0x0a, pos);
      if (eol === -1) eol = buf.length;
      const line = buf.toString('latin1', pos, eol > pos && buf[eol - 1] === 0x0d ? eol - 1 : eol);
      const colon = line.indexOf(':');
      if (colon > 0) {
        const h = line.slice(0, colon).trim().toLowerCase();
        const v = line.slice(colon + 1).trim();
        if (h === 'content-disposition') {
          name = latin1ToUtf8(headerParam(v, 'name'));
          filename = latin1ToUtf8(headerParam(v, 'filename'));
        } else if (h === 'content-type') {
          contentType = v;
        }
      }
      pos = eol + 1;
    }
    const next = buf.indexOf(delim, pos);
    let bodyEnd = next === -1 ? buf.length : next;
    // The line end before the next delimiter belongs to the delimiter.
    if (next !== -1) {
      if (bodyEnd >= pos + 2 && buf[bodyEnd - 2] === 0x0d && buf[bodyEnd - 1] === 0x0a) bodyEnd -= 2;
      else if (bodyEnd >= pos + 1 && buf[bodyEnd - 1] === 0x0a) bodyEnd -= 1;
    }
    parts.push({ name: name ?? filename, filename, contentType, body: buf.subarray(pos, Math.max(pos, bodyEnd)) });
    at = next;
  }
  return { parts, more: false };
}
