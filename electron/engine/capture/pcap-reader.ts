/**
 * Classic libpcap file reader (push parser). Frames are delivered as views into the
 * pushed chunk; only a record that straddles two chunks is copied.
 *
 * Choices where the format leaves room:
 * - Versions before 2.3 (and DG/UX's 543.0) store caplen and len the other way round;
 *   2.3 files may or may not. We swap exactly as libpcap and Wireshark do, which is
 *   also why the fuzzed ndpi sample yields the same single 197-byte frame as tshark.
 * - A record whose data is cut off by the end of the file is not delivered (its claimed
 *   length cannot be trusted); it is reported as an anomaly naming the frame.
 * - A fractional-second field at or above one second is carried into the seconds
 *   and reported; tshark prints such values unnormalised (or negative).
 */
import { AnomalyGate } from './anomaly-gate.ts';
import { ChunkFrame } from './chunk-frame.ts';
import { Scratch } from './scratch.ts';
import type { CaptureInterface, PacketReader, PacketReaderEvents } from './types.ts';

const FILE_HDR = 24;
const REC_HDR = 16;
/** No real capture has a 256 MiB frame; a larger claim means the framing is lost. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

const SWAP_NONE = 0;
const SWAP_ALWAYS = 1;
const SWAP_IF_BIGGER = 2;

function u32le(c: Buffer, p: number): number {
  return (c[p] | (c[p + 1] << 8) | (c[p + 2] << 16) | (c[p + 3] << 24)) >>> 0;
}

function u32be(c: Buffer, p: number): number {
  return ((c[p] << 24) | (c[p + 1] << 16) | (c[p + 2] << 8) | c[p + 3]) >>> 0;
}

/** Create a push parser for a classic pcap stream (all four magics). */
export function createPcapReader(events: PacketReaderEvents): PacketReader {
  return new PcapReader(events);
}

class PcapReader implements PacketReader {
  readonly format = 'pcap' as const;
  fatal: string | null = null;
  tsDigits = 6;

  private readonly events: PacketReaderEvents;
  private readonly gate: AnomalyGate;
  private readonly frame: ChunkFrame;
  private le = true;
  private nano = false;
  private swap = SWAP_NONE;
  private headerDone = false;
  private ended = false;
  private frameNo = 0;
  /** Header or record split across chunks. */
  private readonly pend = new Scratch();

  constructor(events: PacketReaderEvents) {
    this.events = events;
    this.gate = new AnomalyGate(events, 'pcap');
    this.frame = new ChunkFrame();
  }

  push(chunk: Buffer): void {
    if (this.fatal !== null || this.ended || chunk.length === 0) return;
    let pos = 0;
    if (!this.headerDone) {
      pos = this.pend.fill(chunk, 0, FILE_HDR);
      if (this.pend.len < FILE_HDR) return;
      this.pend.len = 0;
      this.readFileHeader(this.pend.buf);
      if (this.fatal !== null) return;
    }
    if (this.pend.len > 0) {
      pos = this.completePending(chunk, pos);
      if (this.pend.len > 0 || this.fatal !== null) return;
    }
    pos = this.scan(chunk, pos);
    if (this.fatal === null && pos < chunk.length) this.pend.fill(chunk, pos, chunk.length - pos);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.fatal === null) {
      if (!this.headerDone) {
        this.fail(null, `file cut short: the 24-byte pcap file header is incomplete (${this.pend.len} bytes)`);
      } else if (this.pend.len > 0) {
        const n = this.frameNo + 1;
        if (this.pend.len < REC_HDR) {
          this.events.anomaly({ frame: null, layer: 'pcap', error: `file cut short in the middle of the record header of frame ${n} (16 bytes needed, ${this.pend.len} present)` });
        } else {
          const incl = this.lengths(this.pend.buf, 0).incl;
          this.events.anomaly({ frame: null, layer: 'pcap', error: `file cut short in the middle of frame ${n} (record claims ${incl} bytes, ${this.pend.len - REC_HDR} present)` });
        }
      }
    }
    this.pend.len = 0;
    this.gate.flush();
  }

  /** Problems with a record that is never delivered carry frame null: no such frame exists downstream. */
  private fail(frame: number | null, msg: string): void {
    this.fatal = msg;
    this.events.anomaly({ frame, layer: 'pcap', error: msg });
  }

  private readFileHeader(h: Buffer): void {
    const magic = h.readUInt32BE(0);
    if (magic === 0xa1b2c3d4) { this.le = false; this.nano = false; }
    else if (magic === 0xd4c3b2a1) { this.le = true; this.nano = false; }
    else if (magic === 0xa1b23c4d) { this.le = false; this.nano = true; }
    else if (magic === 0x4d3cb2a1) { this.le = true; this.nano = true; }
    else {
      this.fail(null, `not a pcap file: magic ${magic.toString(16).padStart(8, '0')}`);
      return;
    }
    const le = this.le;
    const major = le ? h.readUInt16LE(4) : h.readUInt16BE(4);
    const minor = le ? h.readUInt16LE(6) : h.readUInt16BE(6);
    if (major === 2) {
      this.swap = minor < 3 ? SWAP_ALWAYS : minor === 3 ? SWAP_IF_BIGGER : SWAP_NONE;
    } else if (major === 543 && minor === 0) {
      this.swap = SWAP_ALWAYS; // DG/UX tcpdump
    } else {
      this.fail(null, `unsupported pcap version ${major}.${minor} (only version 2.x exists)`);
      return;
    }
    const snaplen = le ? h.readUInt32LE(16) : h.readUInt32BE(16);
    const ltField = le ? h.readUInt32LE(20) : h.readUInt32BE(20);
    // Upper bits carry FCS-length flags (LT_FCS_LENGTH_PRESENT 0x04000000, length in the top 4 bits).
    const linkType = ltField & 0xffff;
    this.frame.linkType = linkType;
    this.tsDigits = this.nano ? 9 : 6;
    this.headerDone = true;
    const iface: CaptureInterface = { id: 0, linkType, snaplen, name: null, tsDigits: this.tsDigits };
    if ((ltField & 0x04000000) !== 0) iface.fcsBytes = (ltField >>> 28) * 2;
    this.events.iface(iface);
  }

  /** Captured and original length of the record header at `p`, after the version's swap rule. */
  private lengths(b: Buffer, p: number): { incl: number; orig: number } {
    let incl = this.le ? b.readUInt32LE(p + 8) : b.readUInt32BE(p + 8);
    let orig = this.le ? b.readUInt32LE(p + 12) : b.readUInt32BE(p + 12);
    if (this.swap === SWAP_ALWAYS || (this.swap === SWAP_IF_BIGGER && incl > orig)) {
      const t = incl; incl = orig; orig = t;
    }
    return { incl, orig };
  }

  private completePending(chunk: Buffer, pos: number): number {
    if (this.pend.len < REC_HDR) {
      pos = this.pend.fill(chunk, pos, REC_HDR);
      if (this.pend.len < REC_HDR) return pos;
    }
    const { incl, orig } = this.lengths(this.pend.buf, 0);
    if (incl > MAX_RECORD_BYTES) {
      this.tooBig(incl);
      return chunk.length;
    }
    pos = this.pend.fill(chunk, pos, REC_HDR + incl);
    if (this.pend.len < REC_HDR + incl) return pos;
    this.pend.len = 0;
    const p = this.pend.buf;
    const sec = this.le ? p.readUInt32LE(0) : p.readUInt32BE(0);
    const frac = this.le ? p.readUInt32LE(4) : p.readUInt32BE(4);
    this.emit(p, REC_HDR, incl, orig, sec, frac);
    this.pend.shrink();
    return pos;
  }

  private tooBig(incl: number): void {
    const n = this.frameNo + 1;
    this.fail(null, `frame ${n}: record claims ${incl} bytes (more than ${MAX_RECORD_BYTES >>> 20} MiB); the file is damaged and cannot be read further`);
  }

  /** The hot loop: whole records inside `chunk`. Returns where the first incomplete record starts. */
  private scan(c: Buffer, pos: number): number {
    const end = c.length;
    const le = this.le;
    const swap = this.swap;
    while (end - pos >= REC_HDR) {
      let incl: number;
      let orig: number;
      let sec: number;
      let frac: number;
      // Byte arithmetic rather than Buffer#readUInt32*: the 16 header bytes are known to be there.
      if (le) {
        sec = u32le(c, pos); frac = u32le(c, pos + 4);
        incl = u32le(c, pos + 8); orig = u32le(c, pos + 12);
      } else {
        sec = u32be(c, pos); frac = u32be(c, pos + 4);
        incl = u32be(c, pos + 8); orig = u32be(c, pos + 12);
      }
      if (swap !== SWAP_NONE && (swap === SWAP_ALWAYS || incl > orig)) {
        const t = incl; incl = orig; orig = t;
      }
      if (incl > MAX_RECORD_BYTES) {
        this.tooBig(incl);
        return end;
      }
      const start = pos + REC_HDR;
      if (end - start < incl) break;
      this.emit(c, start, incl, orig, sec, frac);
      pos = start + incl;
    }
    return pos;
  }

  private emit(c: Buffer, start: number, incl: number, orig: number, sec: number, frac: number): void {
    const f = this.frame;
    const n = ++this.frameNo;
    f.index = n;
    f.at(c, start, start + incl);
    f.origLen = orig;
    if (this.nano) {
      if (frac >= 1_000_000_000) {
        this.badFraction(n, frac, 'ns');
        sec += Math.floor(frac / 1_000_000_000);
        frac %= 1_000_000_000;
      }
      f.tsNsec = frac;
    } else {
      if (frac >= 1_000_000) {
        this.badFraction(n, frac, 'µs');
        sec += Math.floor(frac / 1_000_000);
        frac %= 1_000_000;
      }
      f.tsNsec = frac * 1000;
    }
    f.tsSec = sec;
    this.events.frame(f);
  }

  private badFraction(n: number, frac: number, unit: string): void {
    this.gate.report('fraction', 'frames with an out-of-range timestamp fraction', n,
      `frame ${n}: timestamp fraction ${frac} ${unit} is not below one second; carried into the seconds`);
  }
}
