/**
 * pcapng reader (push parser). Blocks are parsed in place in the pushed chunk; only a
 * block straddling two chunks is copied. Packets arrive as views, like the pcap reader.
 *
 * Choices where the format leaves room:
 * - Interface ids are numbered across the whole file (section 2's first interface
 *   follows section 1's last), so `RawFrame.interfaceId` is unique per input.
 * - A block whose length fields are unusable (below 12, not a multiple of 4, over
 *   256 MiB, or a trailer that disagrees) ends the read with a fatal error, as in
 *   Wireshark: the next block cannot be found with any confidence.
 * - Damaged options of a section header are fatal (the section cannot be trusted; this
 *   is tshark's behaviour too); damaged options of any other block only lose the
 *   options, with an anomaly.
 * - A packet for an interface the section never described is dropped with an anomaly;
 *   a packet claiming more bytes than its block holds is cut to the block.
 * - Timestamps are converted exactly (integer split arithmetic, BigInt only for
 *   unusual resolutions); absurd ones (after 9999 or before 1970) are kept as
 *   recorded and reported.
 */
import { AnomalyGate, MAX_SANE_SEC } from './anomaly-gate.ts';
import { ChunkFrame } from './chunk-frame.ts';
import { Scratch } from './scratch.ts';
import type { CaptureInterface, PacketReader, PacketReaderEvents } from './types.ts';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_OPB = 0x00000002;
const BT_SPB = 0x00000003;
const BT_NRB = 0x00000004;
const BT_EPB = 0x00000006;
const BT_DSB = 0x0000000a;

/** Largest block accepted; beyond it the length is taken for damage. */
export const MAX_BLOCK_BYTES = 256 * 1024 * 1024;
const MIN_BLOCK = 12;
const MAX_OPTIONS = 4096;
interface Iface {
  /** File-wide id (see header comment). */
  id: number;
  linkType: number;
  snaplen: number;
  /** Units per second when it is 10^k with k <= 9, else 0 (BigInt path). */
  fastRes: number;
  /** Nanoseconds per unit on the fast path. */
  nsPerUnit: number;
  /** Units per second as a bigint, for the slow path. */
  bigRes: bigint;
  /** if_tsoffset, seconds. */
  offset: number;
}

/** Create a push parser for a pcapng stream. */
export function createPcapngReader(events: PacketReaderEvents): PacketReader {
  return new PcapngReader(events);
}

class PcapngReader implements PacketReader {
  readonly format = 'pcapng' as const;
  fatal: string | null = null;
  tsDigits = 0;
  producer: string | null = null;

  private readonly events: PacketReaderEvents;
  private readonly gate: AnomalyGate;
  private readonly frame: ChunkFrame;
  private le = true;
  private sections = 0;
  private ifaces: Iface[] = [];
  private nextIfaceId = 0;
  private frameNo = 0;
  private ended = false;
  /** Absolute file offset of the next block to be consumed (for messages). */
  private offset = 0;
  /** Header or record split across chunks. */
  private readonly pend = new Scratch();
  // Timestamp conversion output, kept in fields to avoid a result object per packet.
  private tsSec = 0;
  private tsNsec = 0;
  // Options scratch, refilled per block that has options.
  private optCount = 0;
  private readonly optCode: number[] = [];
  private readonly optStart: number[] = [];
  private readonly optLen: number[] = [];

  constructor(events: PacketReaderEvents) {
    this.events = events;
    this.gate = new AnomalyGate(events, 'pcapng');
    this.frame = new ChunkFrame();
  }

  push(chunk: Buffer): void {
    if (this.fatal !== null || this.ended || chunk.length === 0) return;
    let pos = 0;
    if (this.pend.len > 0) {
      pos = this.completePending(chunk);
      if (this.pend.len > 0 || this.fatal !== null) return;
    }
    pos = this.scan(chunk, pos);
    if (this.fatal === null && pos < chunk.length) this.pend.fill(chunk, pos, chunk.length - pos);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.fatal === null) {
      if (this.sections === 0) {
        this.fail(null, `file cut short: no complete section header block (${this.pend.len} bytes)`);
      } else if (this.pend.len > 0) {
        this.reportCut();
      }
    }
    this.pend.len = 0;
    this.gate.flush();
  }

  private reportCut(): void {
    const p = this.pend.buf;
    if (this.pend.len >= 8) {
      const type = this.u32(p, 0);
      const len = this.u32(p, 4);
      const isPacket = type === BT_EPB || type === BT_SPB || type === BT_OPB;
      const n = this.frameNo + 1;
      const what = isPacket ? `frame ${n}` : `a ${blockName(type)} block at byte ${this.offset}`;
      this.events.anomaly({ frame: null, layer: 'pcapng', error: `file cut short in the middle of ${what} (block claims ${len} bytes, ${this.pend.len} present)` });
    } else {
      this.events.anomaly({ frame: null, layer: 'pcapng', error: `file cut short in the middle of a block header at byte ${this.offset} (${this.pend.len} of 8 bytes present)` });
    }
  }

  private fail(frame: number | null, msg: string): void {
    this.fatal = msg;
    this.events.anomaly({ frame, layer: 'pcapng', error: msg });
  }

  private u16(c: Buffer, p: number): number {
    return this.le ? c.readUInt16LE(p) : c.readUInt16BE(p);
  }

  private u32(c: Buffer, p: number): number {
    return this.le ? c.readUInt32LE(p) : c.readUInt32BE(p);
  }

  /**
   * Validate the block header at `p` (at least 12 bytes available). Returns the block
   * length, or -1 after a fatal error.
   */
  private header(c: Buffer, p: number): number {
    const type = this.u32(c, p);
    if (type === BT_SHB) {
      const bom = c.readUInt32LE(p + 8);
      if (bom === 0x1a2b3c4d) this.le = true;
      else if (bom === 0x4d3c2b1a) this.le = false;
      else {
        this.fail(null, `section header block at byte ${this.offset} has a bad byte-order magic ${bom.toString(16).padStart(8, '0')}`);
        return -1;
      }
    } else if (this.sections === 0) {
      this.fail(null, `not a pcapng file: the first block (type 0x${type.toString(16)}) is not a section header block`);
      return -1;
    }
    const len = this.u32(c, p + 4);
    const where = `${blockName(type)} block at byte ${this.offset}`;
    if (len < MIN_BLOCK) {
      this.fail(null, `${where} claims ${len} bytes, below the 12-byte minimum; the file is damaged and cannot be read further`);
      return -1;
    }
    if (len % 4 !== 0) {
      this.fail(null, `${where} claims ${len} bytes, not a multiple of 4; the file is damaged and cannot be read further`);
      return -1;
    }
    if (len > MAX_BLOCK_BYTES) {
      this.fail(null, `${where} claims ${len} bytes (more than ${MAX_BLOCK_BYTES >>> 20} MiB); the file is damaged and cannot be read further`);
      return -1;
    }
    return len;
  }

  private completePending(chunk: Buffer): number {
    let pos = 0;
    if (this.pend.len < MIN_BLOCK) {
      pos = this.pend.fill(chunk, pos, MIN_BLOCK);
      if (this.pend.len < MIN_BLOCK) return pos;
    }
    const len = this.header(this.pend.buf, 0);
    if (len < 0) return chunk.length;
    pos = this.pend.fill(chunk, pos, len);
    if (this.pend.len < len) return pos;
    this.pend.len = 0;
    this.block(this.pend.buf, 0, len);
    this.offset += len;
    this.pend.shrink();
    return pos;
  }

  private scan(c: Buffer, pos: number): number {
    const end = c.length;
    while (end - pos >= MIN_BLOCK && this.fatal === null) {
      const len = this.header(c, pos);
      if (len < 0) return end;
      if (end - pos < len) break;
      this.block(c, pos, len);
      this.offset += len;
      pos += len;
    }
    return pos;
  }

  private block(c: Buffer, p: number, len: number): void {
    const type = this.u32(c, p);
    if (type === BT_SHB) {
      // Option damage is reported before the trailer, matching tshark's wording for such files.
      if (!this.sectionHeader(c, p, len)) return;
    }
    const trailer = this.u32(c, p + len - 4);
    if (trailer !== len) {
      this.fail(null, `${blockName(type)} block at byte ${this.offset}: trailing length ${trailer} does not match leading length ${len}; the file is damaged and cannot be read further`);
      return;
    }
    switch (type) {
      case BT_EPB: this.enhancedPacket(c, p, len); break;
      case BT_IDB: this.interfaceDescription(c, p, len); break;
      case BT_SPB: this.simplePacket(c, p, len); break;
      case BT_OPB: this.obsoletePacket(c, p, len); break;
      case BT_NRB: this.nameResolution(c, p, len); break;
      case BT_DSB: this.decryptionSecrets(c, p, len); break;
      default: break; // SHB handled above; ISB, custom and unknown blocks carry nothing we use
    }
  }

  /** Parse the options in [start, end) into the scratch arrays; returns an error text or null. */
  private readOptions(c: Buffer, start: number, end: number): string | null {
    let p = start;
    let n = 0;
    while (end - p >= 4) {
      const code = this.u16(c, p);
      const olen = this.u16(c, p + 2);
      if (code === 0) break;
      if (p + 4 + olen > end) {
        this.optCount = n;
        return `not enough data to handle option of length ${olen} (option ${code})`;
      }
      if (n >= MAX_OPTIONS) break;
      this.optCode[n] = code;
      this.optStart[n] = p + 4;
      this.optLen[n] = olen;
      n++;
      p += 4 + ((olen + 3) & ~3);
    }
    this.optCount = n;
    return null;
  }

  private optString(c: Buffer, i: number): string {
    const start = this.optStart[i];
    let end = start + this.optLen[i];
    // Some writers store a C string (terminator and stale bytes after it); Wireshark shows up to the NUL.
    for (let k = start; k < end; k++) {
      if (c[k] === 0) { end = k; break; }
    }
    return c.toString('utf8', start, end);
  }

  private sectionHeader(c: Buffer, p: number, len: number): boolean {
    const at = this.offset;
    if (len < 28) {
      this.fail(null, `section header block at byte ${at} is ${len} bytes, shorter than its 28-byte minimum`);
      return false;
    }
    const major = this.u16(c, p + 12);
    const minor = this.u16(c, p + 14);
    if (major !== 1) {
      this.fail(null, `unsupported pcapng version ${major}.${minor} (section at byte ${at})`);
      return false;
    }
    const err = this.readOptions(c, p + 24, p + len - 4);
    if (err !== null) {
      this.fail(null, `section header block at byte ${at} is damaged: ${err}`);
      return false;
    }
    this.sections++;
    this.ifaces = [];
    let hw = '';
    let os = '';
    let app = '';
    for (let i = 0; i < this.optCount; i++) {
      const code = this.optCode[i];
      if (code === 1) this.events.sectionComment?.(this.optString(c, i));
      else if (code === 2) hw = this.optString(c, i);
      else if (code === 3) os = this.optString(c, i);
      else if (code === 4) app = this.optString(c, i);
    }
    if (this.sections === 1) {
      const parts = [app, os, hw].filter((s) => s.length > 0);
      this.producer = parts.length > 0 ? parts.join('; ') : null;
    }
    return true;
  }

  private interfaceDescription(c: Buffer, p: number, len: number): void {
    if (len < 20) {
      this.gate.report('short-idb', 'too-short interface blocks', null, `interface description block at byte ${this.offset} is ${len} bytes, shorter than its 20-byte minimum; ignored`);
      return;
    }
    const linkType = this.u16(c, p + 8);
    const snaplen = this.u32(c, p + 12);
    let name: string | null = null;
    let description: string | null = null;
    let resByte = 6;
    let offset = 0;
    let fcsBytes = -1;
    const err = this.readOptions(c, p + 16, p + len - 4);
    if (err !== null) {
      this.gate.report('idb-options', 'damaged interface options', null, `interface description block at byte ${this.offset}: ${err}; its options are ignored`);
    } else {
      for (let i = 0; i < this.optCount; i++) {
        const code = this.optCode[i];
        const s = this.optStart[i];
        const l = this.optLen[i];
        if (code === 2) name = this.optString(c, i);
        else if (code === 3) description = this.optString(c, i);
        else if (code === 9 && l >= 1) resByte = c[s];
        else if (code === 13 && l >= 1) fcsBytes = c[s];
        else if (code === 14 && l >= 8) offset = Number(this.le ? c.readBigInt64LE(s) : c.readBigInt64BE(s));
      }
    }
    const base2 = (resByte & 0x80) !== 0;
    const exp = resByte & 0x7f;
    const iface: Iface = { id: this.nextIfaceId++, linkType, snaplen, fastRes: 0, nsPerUnit: 0, bigRes: 0n, offset };
    let digits: number;
    if (!base2 && exp <= 9) {
      iface.fastRes = 10 ** exp;
      iface.nsPerUnit = 10 ** (9 - exp);
      digits = exp;
    } else {
      iface.bigRes = base2 ? 1n << BigInt(exp) : 10n ** BigInt(exp);
      digits = 9;
    }
    this.ifaces.push(iface);
    if (digits > this.tsDigits) this.tsDigits = digits;
    const info: CaptureInterface = { id: iface.id, linkType, snaplen, name, tsDigits: digits, description };
    if (fcsBytes >= 0) info.fcsBytes = fcsBytes;
    this.events.iface(info);
  }

  /** Convert a 64-bit count of interface units into tsSec/tsNsec without losing precision. */
  private timestamp(hi: number, lo: number, iface: Iface): void {
    const r = iface.fastRes;
    if (r !== 0) {
      // hi*2^32 + lo split into 16-bit steps so every intermediate stays below 2^53.
      const qh = Math.floor(hi / r);
      const rh = hi - qh * r;
      const t1 = rh * 65536 + (lo >>> 16);
      const q1 = Math.floor(t1 / r);
      const t2 = (t1 - q1 * r) * 65536 + (lo & 0xffff);
      const q2 = Math.floor(t2 / r);
      this.tsSec = qh * 4294967296 + q1 * 65536 + q2 + iface.offset;
      this.tsNsec = (t2 - q2 * r) * iface.nsPerUnit;
    } else {
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      const res = iface.bigRes;
      this.tsSec = Number(v / res) + iface.offset;
      this.tsNsec = Number(((v % res) * 1_000_000_000n) / res);
    }
  }

  private packetIface(ifid: number, n: number): Iface | null {
    if (ifid < this.ifaces.length) return this.ifaces[ifid];
    this.gate.report('bad-iface', 'packets for undefined interfaces', null,
      `packet block at byte ${this.offset} names interface ${ifid}, but its section describes ${this.ifaces.length}; packet skipped (it would have been frame ${n})`);
    return null;
  }

  private enhancedPacket(c: Buffer, p: number, len: number): void {
    if (len < 32) {
      this.gate.report('short-packet', 'too-short packet blocks', null, `enhanced packet block at byte ${this.offset} is ${len} bytes, shorter than its 32-byte minimum; skipped`);
      return;
    }
    const iface = this.packetIface(this.u32(c, p + 8), this.frameNo + 1);
    if (iface === null) return;
    this.packet(c, p, len, iface, this.u32(c, p + 12), this.u32(c, p + 16));
  }

  private obsoletePacket(c: Buffer, p: number, len: number): void {
    if (len < 32) {
      this.gate.report('short-packet', 'too-short packet blocks', null, `packet block at byte ${this.offset} is ${len} bytes, shorter than its 32-byte minimum; skipped`);
      return;
    }
    const iface = this.packetIface(this.u16(c, p + 8), this.frameNo + 1);
    if (iface === null) return;
    this.packet(c, p, len, iface, this.u32(c, p + 12), this.u32(c, p + 16));
  }

  /** Shared tail of EPB and OPB: fixed fields at p+20.., data at p+28, options after it. */
  private packet(c: Buffer, p: number, len: number, iface: Iface, hi: number, lo: number): void {
    const n = ++this.frameNo;
    const f = this.frame;
    let caplen = this.u32(c, p + 20);
    const origLen = this.u32(c, p + 24);
    const dataStart = p + 28;
    const bodyEnd = p + len - 4;
    const room = bodyEnd - dataStart;
    let comment: string | null = null;
    if (caplen > room) {
      this.gate.report('caplen', 'packets longer than their blocks', n, `frame ${n}: packet claims ${caplen} captured bytes but its block holds ${room}; cut to the block`);
      caplen = room;
    } else {
      const optStart = dataStart + ((caplen + 3) & ~3);
      if (optStart < bodyEnd) comment = this.packetComment(c, optStart, bodyEnd, n);
    }
    this.timestamp(hi, lo, iface);
    if (this.tsSec > MAX_SANE_SEC || this.tsSec < 0) this.absurd(n, iface);
    f.index = n;
    f.linkType = iface.linkType;
    f.interfaceId = iface.id;
    f.at(c, dataStart, dataStart + caplen);
    f.origLen = origLen;
    f.tsSec = this.tsSec;
    f.tsNsec = this.tsNsec;
    f.comment = comment;
    this.events.frame(f);
  }

  private packetComment(c: Buffer, start: number, end: number, n: number): string | null {
    const err = this.readOptions(c, start, end);
    if (err !== null) {
      this.gate.report('pkt-options', 'packets with damaged options', n, `frame ${n}: ${err}; its options are ignored`);
      return null;
    }
    let comment: string | null = null;
    for (let i = 0; i < this.optCount; i++) {
      if (this.optCode[i] !== 1) continue;
      const s = this.optString(c, i);
      comment = comment === null ? s : `${comment}\n${s}`;
    }
    return comment;
  }

  private absurd(n: number, iface: Iface): void {
    const t = `${this.tsSec}.${String(this.tsNsec).padStart(9, '0')}`;
    this.gate.report('ts-absurd', 'frames with absurd timestamps', n,
      `frame ${n}: timestamp ${t} s (interface ${iface.id}) lies ${this.tsSec < 0 ? 'before 1970' : 'after the year 9999'}; kept as recorded`);
  }

  private simplePacket(c: Buffer, p: number, len: number): void {
    if (len < 16) {
      this.gate.report('short-packet', 'too-short packet blocks', null, `simple packet block at byte ${this.offset} is ${len} bytes, shorter than its 16-byte minimum; skipped`);
      return;
    }
    const iface = this.packetIface(0, this.frameNo + 1);
    if (iface === null) return;
    const n = ++this.frameNo;
    const origLen = this.u32(c, p + 8);
    let caplen = Math.min(origLen, len - 16);
    if (iface.snaplen > 0 && caplen > iface.snaplen) caplen = iface.snaplen;
    const f = this.frame;
    f.index = n;
    f.linkType = iface.linkType;
    f.interfaceId = iface.id;
    f.at(c, p + 12, p + 12 + caplen);
    f.origLen = origLen;
    // Simple packet blocks carry no timestamp.
    f.tsSec = 0;
    f.tsNsec = 0;
    f.comment = null;
    this.events.frame(f);
  }

  private nameResolution(c: Buffer, p: number, len: number): void {
    const cb = this.events.nameResolution;
    let q = p + 8;
    const end = p + len - 4;
    while (end - q >= 4) {
      const type = this.u16(c, q);
      const rlen = this.u16(c, q + 2);
      if (type === 0) return;
      const v = q + 4;
      if (v + rlen > end) {
        this.gate.report('nrb', 'damaged name resolution records', null, `name resolution block at byte ${this.offset}: record of ${rlen} bytes overruns the block; rest ignored`);
        return;
      }
      const alen = type === 1 ? 4 : type === 2 ? 16 : 0;
      if (alen > 0 && rlen > alen && cb !== undefined) {
        const ip = alen === 4 ? `${c[v]}.${c[v + 1]}.${c[v + 2]}.${c[v + 3]}` : ipv6Text(c, v);
        const names = c.toString('utf8', v + alen, v + rlen).split('\0').filter((s) => s.length > 0);
        if (names.length > 0) cb(ip, names);
      }
      q = v + ((rlen + 3) & ~3);
    }
  }

  private decryptionSecrets(c: Buffer, p: number, len: number): void {
    if (len < 20) {
      this.gate.report('dsb', 'damaged decryption secrets blocks', null, `decryption secrets block at byte ${this.offset} is too short; ignored`);
      return;
    }
    const type = this.u32(c, p + 8);
    const slen = this.u32(c, p + 12);
    if (p + 16 + slen > p + len - 4) {
      this.gate.report('dsb', 'damaged decryption secrets blocks', null, `decryption secrets block at byte ${this.offset} claims ${slen} bytes of secrets but holds ${len - 20}; ignored`);
      return;
    }
    // Secrets are kept by the consumer, so they get their own copy of the bytes.
    this.events.secrets?.(type, Buffer.from(c.subarray(p + 16, p + 16 + slen)));
  }
}

function blockName(type: number): string {
  switch (type) {
    case BT_SHB: return 'section header';
    case BT_IDB: return 'interface description';
    case BT_OPB: return 'packet';
    case BT_SPB: return 'simple packet';
    case BT_NRB: return 'name resolution';
    case 5: return 'interface statistics';
    case BT_EPB: return 'enhanced packet';
    case BT_DSB: return 'decryption secrets';
    default: return `type 0x${type.toString(16)}`;
  }
}

/** RFC 5952 text of the 16-byte IPv6 address at `p`. */
function ipv6Text(b: Buffer, p: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(b.readUInt16BE(p + i * 2));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return w.map((x) => x.toString(16)).join(':');
  const head = w.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = w.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}
