/**
 * IP-to-ASN lookup built from range CSV files (`start,end,asn,org`, the format of the
 * @ip-location-db/asn package: IPv4 and IPv6 text addresses, inclusive ranges).
 *
 * Parsing ~60 MB of CSV costs about a second, too slow for every start, so the first
 * open compiles the CSV into sorted fixed-width arrays (IPv4 ranges as uint32 start/end,
 * IPv6 ranges as four uint32 words each, ASN and an index into a deduplicated
 * organisation-name table) and writes them to a cache file. Later opens read that file
 * in one go and binary-search it in place.
 */

import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseIpv6 } from './ip.ts';

/** A CSV the table was built from, as it was when read. */
export interface AsnSourceFile {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface AsnTableInfo {
  files: AsnSourceFile[];
  v4Ranges: number;
  v6Ranges: number;
  orgs: number;
  /** ISO time the binary table was compiled. */
  builtAt: string;
  /** Milliseconds the CSV → table compile took (when it happened, possibly in an earlier run). */
  buildMs: number;
  /** Milliseconds this open took (cache read, or the full build). */
  openMs: number;
  /** True when this open read an existing cache file instead of parsing the CSV. */
  fromCache: boolean;
  /** Cache file path, or null when the cache directory was not writable. */
  cachePath: string | null;
  /** Lines that were not `start,end,asn,org` with valid addresses (skipped). */
  badLines: number;
  /** Ranges that overlapped an earlier one and were clipped (0 for a well-formed file). */
  overlaps: number;
}

export interface AsnHit {
  asn: number;
  org: string | null;
}

export interface OpenAsnOptions {
  /** Where to keep compiled tables; null disables the disk cache. */
  cacheDir: string | null;
  /** Extra text folded into the cache key, e.g. the data package version. */
  keyTag?: string;
  /** The compiled table's bytes when the caller has read them already (see asnCachePath). */
  cacheBytes?: Buffer | null;
}

const MAGIC = 'TTASN001';
const HEADER_BYTES = 64;
const ENDIAN_MARK = 0x01020304;
const CHUNK = 1 << 20;

/** Compiled ASN ranges with binary-search lookups. */
export class AsnTable {
  readonly info: AsnTableInfo;
  private readonly v4Start: Uint32Array;
  private readonly v4End: Uint32Array;
  private readonly v4Asn: Uint32Array;
  private readonly v4Org: Uint32Array;
  private readonly v6Start: Uint32Array;
  private readonly v6End: Uint32Array;
  private readonly v6Asn: Uint32Array;
  private readonly v6Org: Uint32Array;
  private readonly orgOff: Uint32Array;
  private readonly orgBlob: Buffer;

  constructor(parts: TableParts, info: AsnTableInfo) {
    this.v4Start = parts.v4Start;
    this.v4End = parts.v4End;
    this.v4Asn = parts.v4Asn;
    this.v4Org = parts.v4Org;
    this.v6Start = parts.v6Start;
    this.v6End = parts.v6End;
    this.v6Asn = parts.v6Asn;
    this.v6Org = parts.v6Org;
    this.orgOff = parts.orgOff;
    this.orgBlob = parts.orgBlob;
    this.info = info;
  }

  /** ASN and organisation for an IPv4 value, or null when no range holds it. */
  lookupV4(v: number): AsnHit | null {
    const starts = this.v4Start;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= v) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || this.v4End[found] < v) return null;
    return { asn: this.v4Asn[found], org: this.orgName(this.v4Org[found]) };
  }

  /** ASN and organisation for an IPv6 address given as four words, or null. */
  lookupV6(w: readonly [number, number, number, number]): AsnHit | null {
    const starts = this.v6Start;
    let lo = 0;
    let hi = this.v6Asn.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(starts, mid * 4, w) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || compareWords(this.v6End, found * 4, w) < 0) return null;
    return { asn: this.v6Asn[found], org: this.orgName(this.v6Org[found]) };
  }

  private orgName(i: number): string | null {
    const s = this.orgOff[i];
    const e = this.orgOff[i + 1];
    return e > s ? this.orgBlob.toString('utf8', s, e) : null;
  }
}

function compareWords(arr: Uint32Array, at: number, w: readonly [number, number, number, number]): number {
  for (let k = 0; k < 4; k++) {
    const x = arr[at + k];
    const y = w[k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

interface TableParts {
  v4Start: Uint32Array;
  v4End: Uint32Array;
  v4Asn: Uint32Array;
  v4Org: Uint32Array;
  v6Start: Uint32Array;
  v6End: Uint32Array;
  v6Asn: Uint32Array;
  v6Org: Uint32Array;
  orgOff: Uint32Array;
  orgBlob: Buffer;
}

/**
 * Opens ASN range CSVs: reads the compiled cache when one matches the files' size and
 * mtime, otherwise parses the CSVs and writes a new cache. Throws if a file is missing.
 */
export function openAsnTable(paths: readonly string[], opts: OpenAsnOptions): AsnTable {
  const t0 = performance.now();
  const stats = fileStats(paths);
  const cachePath = cachePathOf(stats, opts);
  if (cachePath !== null) {
    const cached = readCache(cachePath, opts.cacheBytes ?? null);
    if (cached !== null) {
      const info = { ...cached.info, openMs: performance.now() - t0, fromCache: true, cachePath };
      return new AsnTable(cached.parts, info);
    }
  }
  const built = buildFromCsv(stats.map((s) => s.path));
  const buildMs = performance.now() - t0;
  const files = stats.map((s, i) => ({ ...s, sha256: built.sha256[i] }));
  const info: AsnTableInfo = {
    files,
    v4Ranges: built.parts.v4Asn.length,
    v6Ranges: built.parts.v6Asn.length,
    orgs: built.parts.orgOff.length - 1,
    builtAt: new Date().toISOString(),
    buildMs,
    openMs: buildMs,
    fromCache: false,
    cachePath: null,
    badLines: built.badLines,
    overlaps: built.overlaps,
  };
  if (cachePath !== null && writeCache(cachePath, built.parts, info)) info.cachePath = cachePath;
  return new AsnTable(built.parts, info);
}

function fileStats(paths: readonly string[]): Array<{ path: string; size: number; mtimeMs: number }> {
  return paths.map((p) => {
    const abs = resolve(p);
    const st = statSync(abs);
    return { path: abs, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
  });
}

function cachePathOf(stats: ReadonlyArray<{ path: string; size: number; mtimeMs: number }>, opts: OpenAsnOptions): string | null {
  if (opts.cacheDir === null) return null;
  const key = createHash('sha256')
    .update(JSON.stringify({ format: MAGIC, files: stats, tag: opts.keyTag ?? '' }))
    .digest('hex')
    .slice(0, 20);
  return join(opts.cacheDir, `asn-${key}.bin`);
}

/** Where openAsnTable looks for the compiled table of these files (null without a cache directory). Throws if a file is missing. */
export function asnCachePath(paths: readonly string[], opts: OpenAsnOptions): string | null {
  return cachePathOf(fileStats(paths), opts);
}

class Grow {
  arr: Uint32Array;
  n = 0;
  constructor(initial: number) {
    this.arr = new Uint32Array(Math.max(16, initial));
  }
  push(x: number): void {
    if (this.n === this.arr.length) {
      const next = new Uint32Array(this.arr.length * 2);
      next.set(this.arr);
      this.arr = next;
    }
    this.arr[this.n++] = x;
  }
  done(): Uint32Array {
    return this.arr.slice(0, this.n);
  }
}

interface Built {
  parts: TableParts;
  sha256: string[];
  badLines: number;
  overlaps: number;
}

function buildFromCsv(paths: readonly string[]): Built {
  let totalBytes = 0;
  for (const p of paths) totalBytes += statSync(p).size;
  // ~55 bytes per IPv4 line in the package's files: a close first guess avoids regrowth.
  const guess = Math.ceil(totalBytes / 55);
  const v4 = { start: new Grow(guess), end: new Grow(guess), asn: new Grow(guess), org: new Grow(guess) };
  const v6 = { start: new Grow(guess), end: new Grow(guess), asn: new Grow(guess / 4), org: new Grow(guess / 4) };
  const orgIndex = new Map<string, number>();
  const orgChunks: Buffer[] = [];
  const orgOff = new Grow(1 << 16);
  orgOff.push(0);
  let orgBytes = 0;
  let badLines = 0;
  const sha256: string[] = [];

  const internOrg = (name: string): number => {
    let i = orgIndex.get(name);
    if (i === undefined) {
      i = orgIndex.size;
      orgIndex.set(name, i);
      const b = Buffer.from(name, 'utf8');
      orgChunks.push(b);
      orgBytes += b.length;
      orgOff.push(orgBytes);
    }
    return i;
  };
  internOrg('');
  let lastOrg = 0;
  let lastOrgLen = -1;
  let lastOrgBytes = Buffer.alloc(256);

  const onLine = (buf: Buffer, s: number, e: number): void => {
    if (e > s && buf[e - 1] === 0x0d) e--;
    if (e <= s) return;
    const c1 = buf.indexOf(0x2c, s);
    const c2 = c1 < 0 || c1 >= e ? -1 : buf.indexOf(0x2c, c1 + 1);
    const c3 = c2 < 0 || c2 >= e ? -1 : buf.indexOf(0x2c, c2 + 1);
    if (c3 < 0 || c3 >= e) {
      badLines++;
      return;
    }
    const asn = parseDecimal(buf, c2 + 1, c3);
    if (asn < 0) {
      badLines++;
      return;
    }
    // Neighbouring ranges usually share an operator: reuse its index without decoding.
    let org: number;
    if (e - c3 - 1 === lastOrgLen && buf.compare(lastOrgBytes, 0, lastOrgLen, c3 + 1, e) === 0) {
      org = lastOrg;
    } else {
      org = internOrg(decodeCsvField(buf, c3 + 1, e));
      lastOrgLen = e - c3 - 1;
      if (lastOrgLen > lastOrgBytes.length) lastOrgBytes = Buffer.alloc(lastOrgLen * 2);
      buf.copy(lastOrgBytes, 0, c3 + 1, e);
      lastOrg = org;
    }
    const a4 = parseIpv4Bytes(buf, s, c1);
    if (a4 >= 0) {
      const b4 = parseIpv4Bytes(buf, c1 + 1, c2);
      if (b4 < 0 || b4 < a4) {
        badLines++;
        return;
      }
      v4.start.push(a4);
      v4.end.push(b4);
      v4.asn.push(asn);
      v4.org.push(org);
      return;
    }
    const a6 = parseIpv6(buf.toString('latin1', s, c1));
    const b6 = a6 === null ? null : parseIpv6(buf.toString('latin1', c1 + 1, c2));
    if (a6 === null || b6 === null || compareTuples(a6, b6) > 0) {
      badLines++;
      return;
    }
    for (const x of a6) v6.start.push(x);
    for (const x of b6) v6.end.push(x);
    v6.asn.push(asn);
    v6.org.push(org);
  };

  const buf = Buffer.allocUnsafe(CHUNK * 2);
  for (const path of paths) {
    const hash = createHash('sha256');
    const fd = openSync(path, 'r');
    try {
      let carry = 0;
      for (;;) {
        if (carry >= CHUNK) {
          // A line longer than a chunk is not a range line: drop it.
          badLines++;
          carry = 0;
        }
        const got = readSync(fd, buf, carry, CHUNK, null);
        if (got === 0) break;
        hash.update(buf.subarray(carry, carry + got));
        const end = carry + got;
        let s = 0;
        for (;;) {
          const nl = buf.indexOf(0x0a, s);
          if (nl < 0 || nl >= end) break;
          onLine(buf, s, nl);
          s = nl + 1;
        }
        carry = end - s;
        buf.copy(buf, 0, s, end);
      }
      if (carry > 0) onLine(buf, 0, carry);
    } finally {
      closeSync(fd);
    }
    sha256.push(hash.digest('hex'));
  }

  const orgBlob = Buffer.concat(orgChunks, orgBytes);
  const four = {
    start: v4.start.done(),
    end: v4.end.done(),
    asn: v4.asn.done(),
    org: v4.org.done(),
  };
  const six = {
    start: v6.start.done(),
    end: v6.end.done(),
    asn: v6.asn.done(),
    org: v6.org.done(),
  };
  const n4 = normalise(four, 1);
  const n6 = normalise(six, 4);
  return {
    parts: {
      v4Start: n4.ranges.start,
      v4End: n4.ranges.end,
      v4Asn: n4.ranges.asn,
      v4Org: n4.ranges.org,
      v6Start: n6.ranges.start,
      v6End: n6.ranges.end,
      v6Asn: n6.ranges.asn,
      v6Org: n6.ranges.org,
      orgOff: orgOff.done(),
      orgBlob,
    },
    sha256,
    badLines,
    overlaps: n4.overlaps + n6.overlaps,
  };
}

interface Ranges {
  start: Uint32Array;
  end: Uint32Array;
  asn: Uint32Array;
  org: Uint32Array;
}

/**
 * Binary search needs ranges sorted by start and disjoint. The package's files nearly
 * are, so this checks first and only then repairs: ranges are ordered by start (wider
 * first on ties) and, where one starts inside another, the later (more specific) one
 * wins for its span and the rest of the earlier one resumes after it. Works on the typed
 * arrays with small scratch vectors, so a repair costs no per-range objects.
 */
function normalise(r: Ranges, width: 1 | 4): { ranges: Ranges; overlaps: number } {
  const n = r.asn.length;
  let clean = true;
  for (let i = 1; i < n && clean; i++) {
    if (cmpAt(r.start, i * width, r.end, (i - 1) * width, width) <= 0) clean = false;
  }
  if (clean) return { ranges: r, overlaps: 0 };

  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    const c = cmpAt(r.start, (i - 1) * width, r.start, i * width, width);
    if (c > 0 || (c === 0 && cmpAt(r.end, (i - 1) * width, r.end, i * width, width) < 0)) sorted = false;
  }
  let order: Uint32Array | null = null;
  if (!sorted) {
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((x, y) => cmpAt(r.start, x * width, r.start, y * width, width) || cmpAt(r.end, y * width, r.end, x * width, width));
    order = Uint32Array.from(idx);
  }

  interface Rest {
    start: Uint32Array;
    end: Uint32Array;
    asn: number;
    org: number;
  }
  const pending: Rest[] = []; // remainders of clipped ranges, sorted by start
  const out = { start: new Grow(n * width), end: new Grow(n * width), asn: new Grow(n), org: new Grow(n) };
  const ns = new Uint32Array(width);
  const ne = new Uint32Array(width);
  let overlaps = 0;
  let i = 0;
  while (i < n || pending.length > 0) {
    let asn: number;
    let org: number;
    let resumed = false;
    const j = i < n ? (order === null ? i : order[i]) : -1;
    if (pending.length > 0 && (j < 0 || cmpAt(pending[0].start, 0, r.start, j * width, width) <= 0)) {
      const p = pending.shift() as Rest;
      ns.set(p.start);
      ne.set(p.end);
      asn = p.asn;
      org = p.org;
      resumed = true;
    } else {
      ns.set(r.start.subarray(j * width, j * width + width));
      ne.set(r.end.subarray(j * width, j * width + width));
      asn = r.asn[j];
      org = r.org[j];
      i++;
    }
    const last = out.asn.n - 1;
    if (resumed && last >= 0 && cmpAt(out.end.arr, last * width, ns, 0, width) >= 0) {
      // A resumed outer range yields to whatever started inside it meanwhile.
      if (cmpAt(out.end.arr, last * width, ne, 0, width) >= 0) continue;
      ns.set(out.end.arr.subarray(last * width, last * width + width));
      addOne(ns);
    } else if (last >= 0 && cmpAt(out.end.arr, last * width, ns, 0, width) >= 0) {
      overlaps++;
      if (cmpAt(out.end.arr, last * width, ne, 0, width) > 0) {
        const rest: Rest = {
          start: Uint32Array.from(ne),
          end: out.end.arr.slice(last * width, last * width + width),
          asn: out.asn.arr[last],
          org: out.org.arr[last],
        };
        addOne(rest.start);
        let at = 0;
        while (at < pending.length && cmpAt(pending[at].start, 0, rest.start, 0, width) <= 0) at++;
        pending.splice(at, 0, rest);
      }
      // The earlier range now stops just before this one starts, or vanishes if it began at the same place.
      const cut = Uint32Array.from(ns);
      subOne(cut);
      if (cmpAt(ns, 0, out.start.arr, last * width, width) <= 0) {
        out.start.n -= width;
        out.end.n -= width;
        out.asn.n--;
        out.org.n--;
      } else {
        out.end.arr.set(cut, last * width);
      }
    }
    for (let k = 0; k < width; k++) {
      out.start.push(ns[k]);
      out.end.push(ne[k]);
    }
    out.asn.push(asn);
    out.org.push(org);
  }
  return {
    ranges: { start: out.start.done(), end: out.end.done(), asn: out.asn.done(), org: out.org.done() },
    overlaps,
  };
}

function addOne(v: Uint32Array): void {
  for (let k = v.length - 1; k >= 0; k--) {
    v[k] = (v[k] + 1) >>> 0;
    if (v[k] !== 0) return;
  }
}

function subOne(v: Uint32Array): void {
  for (let k = v.length - 1; k >= 0; k--) {
    const was = v[k];
    v[k] = (was - 1) >>> 0;
    if (was !== 0) return;
  }
}

function cmpAt(a: Uint32Array, ai: number, b: Uint32Array, bi: number, width: number): number {
  for (let k = 0; k < width; k++) {
    const x = a[ai + k];
    const y = b[bi + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
}

function parseDecimal(buf: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 10) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v > 0xffffffff ? -1 : v;
}

function parseIpv4Bytes(buf: Buffer, s: number, e: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = s; i <= e; i++) {
    const c = i < e ? buf[i] : 0x2e;
    if (c >= 0x30 && c <= 0x39) {
      octet = octet * 10 + (c - 0x30);
      if (++digits > 3) return -1;
    } else if (c === 0x2e) {
      if (digits === 0 || octet > 255 || ++parts > 4) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  return parts === 4 ? value : -1;
}

function decodeCsvField(buf: Buffer, s: number, e: number): string {
  if (e - s >= 2 && buf[s] === 0x22 && buf[e - 1] === 0x22) {
    const inner = buf.toString('utf8', s + 1, e - 1);
    return inner.includes('""') ? inner.replaceAll('""', '"') : inner;
  }
  return buf.toString('utf8', s, e);
}

function readCache(path: string, bytes: Buffer | null): { parts: TableParts; info: AsnTableInfo } | null {
  let file: Buffer;
  try {
    file = bytes ?? readFileSync(path);
  } catch {
    return null;
  }
  if (file.length < HEADER_BYTES || file.toString('latin1', 0, 8) !== MAGIC) return null;
  if (file.byteOffset % 4 !== 0) file = Buffer.from(file); // typed-array views need alignment
  const head = new Uint32Array(file.buffer, file.byteOffset + 8, 6);
  if (head[0] !== ENDIAN_MARK) return null;
  const [, metaLen, n4, n6, orgs, blobLen] = head;
  let at = HEADER_BYTES + align4(metaLen);
  const expected = at + 4 * (4 * n4 + 10 * n6 + orgs + 1) + blobLen;
  if (file.length !== expected) return null;
  let info: AsnTableInfo;
  try {
    info = JSON.parse(file.toString('utf8', HEADER_BYTES, HEADER_BYTES + metaLen)) as AsnTableInfo;
  } catch {
    return null;
  }
  const take = (count: number): Uint32Array => {
    const view = new Uint32Array(file.buffer, file.byteOffset + at, count);
    at += count * 4;
    return view;
  };
  const parts: TableParts = {
    v4Start: take(n4),
    v4End: take(n4),
    v4Asn: take(n4),
    v4Org: take(n4),
    v6Start: take(n6 * 4),
    v6End: take(n6 * 4),
    v6Asn: take(n6),
    v6Org: take(n6),
    orgOff: take(orgs + 1),
    orgBlob: file.subarray(at, at + blobLen),
  };
  return { parts, info };
}

function writeCache(path: string, parts: TableParts, info: AsnTableInfo): boolean {
  const meta = Buffer.from(JSON.stringify({ ...info, cachePath: path }), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  new Uint32Array(header.buffer, header.byteOffset + 8, 6).set([
    ENDIAN_MARK,
    meta.length,
    parts.v4Asn.length,
    parts.v6Asn.length,
    parts.orgOff.length - 1,
    parts.orgBlob.length,
  ]);
  const sections: Array<Uint32Array | Buffer> = [
    header,
    meta,
    Buffer.alloc(align4(meta.length) - meta.length),
    parts.v4Start,
    parts.v4End,
    parts.v4Asn,
    parts.v4Org,
    parts.v6Start,
    parts.v6End,
    parts.v6Asn,
    parts.v6Org,
    parts.orgOff,
    parts.orgBlob,
  ];
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      for (const s of sections) writeSync(fd, new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
    } finally {
      closeSync(fd);
    }
    // Rename is atomic on one file system, so a concurrent reader sees the old file or the whole new one.
    renameSync(tmp, path);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
