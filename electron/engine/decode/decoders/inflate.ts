/**
 * DEFLATE (RFC 1951) in plain code, inside gzip (RFC 1952) or zlib (RFC 1950) framing,
 * for the small compressed fields of analytics payloads. node:zlib builds a stream
 * object for every call, which costs more than inflating a few hundred bytes; this
 * decoder does the common case and declines everything else. It answers only for a
 * complete, well-formed stream whose checksum matches and that ends exactly at the end
 * of the input, so its output is the one zlib would give; on anything else (damage, a
 * cut stream, trailing bytes, a second gzip member, a header CRC, a preset dictionary,
 * output over the cap, a code set zlib might judge differently) it returns null and
 * the caller asks zlib, which then also names the error.
 */

/** Lengths 3..258 (symbols 257..285): base and extra bits. */
const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** Distances 1..32768 (symbols 0..29): base and extra bits. */
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** Order in which a dynamic block sends the code-length code lengths. */
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
const MAX_BITS = 15;

/** Thrown inside the decoder to give up; never leaves this module. */
class Decline extends Error {}
const DECLINE = new Decline();

/** Codes up to this many bits are decoded with one table look-up. */
const FAST_BITS = 8;

/**
 * A canonical Huffman code: how many codes of each length, the symbols in code order,
 * and a table indexed by the next FAST_BITS input bits giving symbol << 4 | length for
 * codes that short (-1: a longer code, decoded bit by bit).
 */
interface Code {
  count: Uint16Array;
  symbol: Uint16Array;
  fast: Int32Array;
}

/**
 * Builds the code for `lengths[0..n)`. Only complete codes are accepted: zlib accepts
 * some incomplete ones (a single distance code) and rejects others, so those cases are
 * left to it.
 */
function buildCode(lengths: Uint8Array, n: number, fast: Int32Array = new Int32Array(1 << FAST_BITS)): Code {
  const count = new Uint16Array(MAX_BITS + 1);
  for (let s = 0; s < n; s++) count[lengths[s]]++;
  if (count[0] === n) throw DECLINE;
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left = (left << 1) - count[len];
    if (left < 0) throw DECLINE;
  }
  if (left !== 0) throw DECLINE;
  const offs = new Uint16Array(MAX_BITS + 1);
  for (let len = 1; len < MAX_BITS; len++) offs[len + 1] = offs[len] + count[len];
  const symbol = new Uint16Array(n);
  for (let s = 0; s < n; s++) if (lengths[s] !== 0) symbol[offs[lengths[s]]++] = s;
  // Codes are assigned in (length, symbol) order; the stream sends them most
  // significant bit first, and bits are read least significant first, hence reversed.
  fast.fill(-1);
  let code = 0;
  let i = 0;
  for (let len = 1; len <= FAST_BITS; len++) {
    for (let k = 0; k < count[len]; k++, i++, code++) {
      let rev = 0;
      for (let b = 0; b < len; b++) rev |= ((code >> b) & 1) << (len - 1 - b);
      for (let fill = rev; fill < 1 << FAST_BITS; fill += 1 << len) fast[fill] = (symbol[i] << 4) | len;
    }
    code <<= 1;
  }
  return { count, symbol, fast };
}

/**
 * Look-up tables of a dynamic block's three codes, reused from block to block (a block
 * is decoded to its end before the next one's codes are built, and nothing here is
 * re-entered).
 */
const SCRATCH_LENS = new Int32Array(1 << FAST_BITS);
const SCRATCH_LIT = new Int32Array(1 << FAST_BITS);
const SCRATCH_DIST = new Int32Array(1 << FAST_BITS);

let fixedLit: Code | null = null;
let fixedDist: Code | null = null;

function fixedCodes(): [Code, Code] {
  if (fixedLit === null || fixedDist === null) {
    const l = new Uint8Array(288);
    for (let s = 0; s < 288; s++) l[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    fixedLit = buildCode(l, 288);
    // 32 codes of 5 bits, so that the code is complete; 30 and 31 decode as invalid.
    fixedDist = buildCode(new Uint8Array(32).fill(5), 32);
  }
  return [fixedLit, fixedDist];
}

class Inflater {
  private readonly in: Uint8Array;
  private readonly end: number;
  pos: number;
  private bitBuf = 0;
  private bitCnt = 0;
  out: Uint8Array;
  outLen = 0;
  private readonly maxOut: number;

  constructor(input: Uint8Array, start: number, end: number, maxOut: number) {
    this.in = input;
    this.pos = start;
    this.end = end;
    this.maxOut = maxOut;
    this.out = new Uint8Array(Math.min(maxOut, Math.max(256, (end - start) * 4)));
  }

  private bits(n: number): number {
    let v = this.bitBuf;
    while (this.bitCnt < n) {
      if (this.pos >= this.end) throw DECLINE;
      v |= this.in[this.pos++] << this.bitCnt;
      this.bitCnt += 8;
    }
    this.bitBuf = v >>> n;
    this.bitCnt -= n;
    return v & ((1 << n) - 1);
  }

  private decode(c: Code): number {
    while (this.bitCnt < FAST_BITS && this.pos < this.end) {
      this.bitBuf |= this.in[this.pos++] << this.bitCnt;
      this.bitCnt += 8;
    }
    if (this.bitCnt >= FAST_BITS) {
      const e = c.fast[this.bitBuf & ((1 << FAST_BITS) - 1)];
      if (e >= 0) {
        const len = e & 15;
        this.bitBuf >>>= len;
        this.bitCnt -= len;
        return e >> 4;
      }
    }
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      code |= this.bits(1);
      const count = c.count[len];
      if (code - count < first) return c.symbol[index + (code - first)];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw DECLINE;
  }

  private room(n: number): void {
    const need = this.outLen + n;
    if (need <= this.out.length) return;
    if (need > this.maxOut) throw DECLINE;
    const grown = new Uint8Array(Math.min(this.maxOut, Math.max(need, this.out.length * 2)));
    grown.set(this.out.subarray(0, this.outLen));
    this.out = grown;
  }

  /** Drops the bits left in the current byte and hands back whole bytes read ahead. */
  alignToByte(): void {
    this.pos -= this.bitCnt >> 3;
    this.bitBuf = 0;
    this.bitCnt = 0;
  }

  private stored(): void {
    this.alignToByte();
    if (this.pos + 4 > this.end) throw DECLINE;
    const b = this.in;
    const len = b[this.pos] | (b[this.pos + 1] << 8);
    const nlen = b[this.pos + 2] | (b[this.pos + 3] << 8);
    this.pos += 4;
    if (len !== (~nlen & 0xffff) || this.pos + len > this.end) throw DECLINE;
    this.room(len);
    this.out.set(b.subarray(this.pos, this.pos + len), this.outLen);
    this.outLen += len;
    this.pos += len;
  }

  private codes(lit: Code, dist: Code): void {
    for (;;) {
      let sym = this.decode(lit);
      if (sym < 256) {
        this.room(1);
        this.out[this.outLen++] = sym;
        continue;
      }
      if (sym === 256) return;
      sym -= 257;
      if (sym >= 29) throw DECLINE;
      const len = LEN_BASE[sym] + this.bits(LEN_EXTRA[sym]);
      const dsym = this.decode(dist);
      if (dsym >= 30) throw DECLINE;
      const d = DIST_BASE[dsym] + this.bits(DIST_EXTRA[dsym]);
      if (d > this.outLen) throw DECLINE;
      this.room(len);
      const o = this.out;
      let from = this.outLen - d;
      for (let i = 0; i < len; i++) o[this.outLen++] = o[from++];
    }
  }

  private dynamic(): void {
    const nlen = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncode = this.bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw DECLINE;
    const lengths = new Uint8Array(nlen + ndist);
    const clen = new Uint8Array(19);
    for (let i = 0; i < ncode; i++) clen[CLEN_ORDER[i]] = this.bits(3);
    const lencode = buildCode(clen, 19, SCRATCH_LENS);
    let index = 0;
    while (index < nlen + ndist) {
      const sym = this.decode(lencode);
      if (sym < 16) {
        lengths[index++] = sym;
        continue;
      }
      let len = 0;
      let rep: number;
      if (sym === 16) {
        if (index === 0) throw DECLINE;
        len = lengths[index - 1];
        rep = 3 + this.bits(2);
      } else if (sym === 17) {
        rep = 3 + this.bits(3);
      } else {
        rep = 11 + this.bits(7);
      }
      if (index + rep > nlen + ndist) throw DECLINE;
      while (rep-- > 0) lengths[index++] = len;
    }
    if (lengths[256] === 0) throw DECLINE;
    const lit = buildCode(lengths, nlen, SCRATCH_LIT);
    const dist = buildCode(lengths.subarray(nlen), ndist, SCRATCH_DIST);
    this.codes(lit, dist);
  }

  /** Inflates blocks up to the last one; `pos` is then the first byte after the stream (its last byte's spare bits dropped). */
  run(): void {
    let last = 0;
    while (last === 0) {
      last = this.bits(1);
      const type = this.bits(2);
      if (type === 0) this.stored();
      else if (type === 1) {
        const [lit, dist] = fixedCodes();
        this.codes(lit, dist);
      } else if (type === 2) this.dynamic();
      else throw DECLINE;
    }
    this.alignToByte();
  }
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO-HDLC, as gzip uses). */
export function crc32(data: Uint8Array, end = data.length): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < end; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Adler-32 (as zlib framing uses). */
function adler32(data: Uint8Array, end: number): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < end; ) {
    const stop = Math.min(end, i + 3800);
    for (; i < stop; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Where the deflate data of a gzip member starts, or -1 when the header is one this decoder leaves to zlib. */
function gzipDataStart(b: Uint8Array): number {
  if (b.length < 18 || b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8) return -1;
  const flg = b[3];
  // Reserved flag bits, or a header CRC (FHCRC): zlib's call.
  if ((flg & 0xe2) !== 0) return -1;
  let p = 10;
  if (flg & 0x04) {
    if (p + 2 > b.length) return -1;
    p += 2 + (b[p] | (b[p + 1] << 8));
  }
  for (const bit of [0x08, 0x10]) {
    if ((flg & bit) === 0) continue;
    while (p < b.length && b[p] !== 0) p++;
    p++;
  }
  return p < b.length ? p : -1;
}

/**
 * Decompresses a complete gzip, zlib or raw deflate stream into at most `maxOut` bytes,
 * or returns null when zlib should be asked instead (see the module comment).
 */
export function inflateSmall(codec: 'gzip' | 'zlib' | 'deflate', buf: Buffer, maxOut: number): Buffer | null {
  let start = 0;
  let trailer = 0;
  if (codec === 'gzip') {
    start = gzipDataStart(buf);
    if (start < 0) return null;
    trailer = 8;
  } else if (codec === 'zlib') {
    if (buf.length < 7) return null;
    const cmf = buf[0];
    const flg = buf[1];
    // Deflate with a window of at most 32 KiB, a valid check, no preset dictionary.
    if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0 || (flg & 0x20) !== 0) return null;
    start = 2;
    trailer = 4;
  }
  const end = buf.length - trailer;
  if (end <= start) return null;
  const inf = new Inflater(buf, start, end, maxOut);
  try {
    inf.run();
  } catch (e) {
    if (e instanceof Decline) return null;
    throw e;
  }
  if (inf.pos !== end) return null;
  const out = inf.out;
  const n = inf.outLen;
  if (codec === 'gzip') {
    const crc = (buf[end] | (buf[end + 1] << 8) | (buf[end + 2] << 16) | (buf[end + 3] << 24)) >>> 0;
    const size = (buf[end + 4] | (buf[end + 5] << 8) | (buf[end + 6] << 16) | (buf[end + 7] << 24)) >>> 0;
    if (size !== n >>> 0 || crc !== crc32(out, n)) return null;
  } else if (codec === 'zlib') {
    const sum = ((buf[end] << 24) | (buf[end + 1] << 16) | (buf[end + 2] << 8) | buf[end + 3]) >>> 0;
    if (sum !== adler32(out, n)) return null;
  }
  return Buffer.from(out.buffer, out.byteOffset, n);
}
