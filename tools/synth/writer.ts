/**
 * Streaming pcap / pcapng writers and a small traffic composer (TCP sessions with
 * segmentation, retransmissions and reordering; UDP exchanges) over Ethernet + IPv4/IPv6.
 * Output is buffered and written in large chunks so multi-GB benchmark files are cheap.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { ethernet, ipv4, ipv6, tcp, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, udp } from './packets.ts';

export interface CaptureWriter {
  /**
   * Append one frame captured at `tsNs` (ns since the epoch). `origLen` is its length
   * on the wire when the frame was cut by a snaplen (default: the frame's length).
   */
  write(frame: Buffer, tsNs: bigint, comment?: string, origLen?: number): void;
  /** Bytes written so far (file size). */
  readonly bytes: number;
  readonly frames: number;
  close(): void;
}

class BufferedFile {
  private fd: number;
  private buf = Buffer.allocUnsafe(4 << 20);
  private used = 0;
  written = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'wx');
  }
  put(b: Buffer): void {
    if (this.used + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) {
      writeSync(this.fd, b);
    } else {
      b.copy(this.buf, this.used);
      this.used += b.length;
    }
    this.written += b.length;
  }
  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Classic little-endian pcap, micro- or nanosecond timestamps. `linkWord` is the
 * header's link-type field: LINKTYPE_ETHERNET (1) unless told otherwise; its upper
 * bits may carry the FCS flags of the pcap specification.
 */
export function createPcapWriter(path: string, nanosecond = false, linkWord = 1, snaplen = 262144): CaptureWriter {
  const out = new BufferedFile(path);
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(snaplen >>> 0, 16);
  hdr.writeUInt32LE(linkWord >>> 0, 20);
  out.put(hdr);
  let frames = 0;
  const rec = Buffer.alloc(16);
  return {
    write(frame, tsNs, _comment, origLen) {
      rec.writeUInt32LE(Number(tsNs / 1_000_000_000n), 0);
      const frac = Number(tsNs % 1_000_000_000n);
      rec.writeUInt32LE(nanosecond ? frac : Math.floor(frac / 1000), 4);
      rec.writeUInt32LE(frame.length, 8);
      rec.writeUInt32LE(origLen ?? frame.length, 12);
      out.put(rec);
      out.put(frame);
      frames++;
    },
    get bytes() { return out.written; },
    get frames() { return frames; },
    close() { out.close(); },
  };
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function option(code: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(code, 0);
  h.writeUInt16LE(value.length, 2);
  return Buffer.concat([h, value, Buffer.alloc(pad4(value.length))]);
}

function block(type: number, body: Buffer): Buffer {
  const len = 12 + body.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

/** Little-endian pcapng: one section, one Ethernet interface with nanosecond if_tsresol, EPBs. */
export function createPcapngWriter(path: string, opts: { application?: string; interfaceName?: string } = {}): CaptureWriter {
  const out = new BufferedFile(path);
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(0, 6);
  shb.writeBigInt64LE(-1n, 8);
  const shbOpts = Buffer.concat([option(4, Buffer.from(opts.application ?? 'telltale synth')), option(0, Buffer.alloc(0))]);
  out.put(block(0x0a0d0d0a, Buffer.concat([shb, shbOpts])));
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(1, 0);
  idb.writeUInt32LE(262144, 4);
  const idbOpts = Buffer.concat([
    option(2, Buffer.from(opts.interfaceName ?? 'wlan0')),
    option(9, Buffer.from([9])),
    option(0, Buffer.alloc(0)),
  ]);
  out.put(block(1, Buffer.concat([idb, idbOpts])));
  let frames = 0;
  return {
    write(frame, tsNs, comment, origLen) {
      const head = Buffer.alloc(20);
      head.writeUInt32LE(0, 0);
      head.writeUInt32LE(Number(tsNs >> 32n), 4);
      head.writeUInt32LE(Number(tsNs & 0xffffffffn), 8);
      head.writeUInt32LE(frame.length, 12);
      head.writeUInt32LE(origLen ?? frame.length, 16);
      const parts = [head, frame, Buffer.alloc(pad4(frame.length))];
      if (comment) parts.push(option(1, Buffer.from(comment, 'utf8')), option(0, Buffer.alloc(0)));
      out.put(block(6, Buffer.concat(parts)));
      frames++;
    },
    get bytes() { return out.written; },
    get frames() { return frames; },
    close() { out.close(); },
  };
}

export interface Host {
  mac: string;
  ip: string;
}

/** A clock in nanoseconds that generators advance explicitly. */
export class Clock {
  ns: bigint;
  constructor(startIso: string) {
    this.ns = BigInt(Date.parse(startIso)) * 1_000_000n;
  }
  advanceMs(ms: number): bigint {
    this.ns += BigInt(Math.round(ms * 1_000_000));
    return this.ns;
  }
}

function ipPacket(src: Host, dst: Host, proto: number, payload: Buffer, id: number): Buffer {
  return src.ip.includes(':')
    ? ethernet(src.mac, dst.mac, 0x86dd, ipv6(src.ip, dst.ip, proto, payload))
    : ethernet(src.mac, dst.mac, 0x0800, ipv4(src.ip, dst.ip, proto, payload, id));
}

export interface TcpSessionOptions {
  mss?: number;
  /** Probability (0..1) that a data segment is sent twice (retransmission). */
  retransmit?: number;
  /** Probability (0..1) that two consecutive data segments are swapped. */
  reorder?: number;
  rand?: () => number;
  /**
   * Delayed ACKs as real receivers send them (RFC 1122 4.2.3.2, RFC 5681 4.2): a pure
   * ACK after every `ackEvery` data segments received in order, an immediate duplicate
   * ACK for a segment that arrives above a hole or again, an immediate ACK when a hole
   * is filled, and one at the end of a `send()` for what is still unacknowledged (the
   * delayed-ACK timer). 0 or absent: one ACK per `send()` call, the generators'
   * original output, kept byte for byte.
   */
  ackEvery?: number;
}

/** a < b in TCP sequence space (modulo 2^32). */
function seqBefore(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** One TCP connection between a client and a server, written segment by segment. */
export class TcpSession {
  private cseq: number;
  private sseq: number;
  private ipId = 1;
  private w: CaptureWriter;
  private clock: Clock;
  private client: Host;
  private server: Host;
  private cport: number;
  private sport: number;
  private opts: TcpSessionOptions;
  /** Segments written with the ACK flag alone and no payload (handshake and close included). */
  pureAcks = 0;
  constructor(w: CaptureWriter, clock: Clock, client: Host, server: Host, cport: number, sport: number, opts: TcpSessionOptions = {}) {
    this.w = w;
    this.clock = clock;
    this.client = client;
    this.server = server;
    this.cport = cport;
    this.sport = sport;
    this.opts = opts;
    const r = opts.rand ?? Math.random;
    this.cseq = Math.floor(r() * 0xffffffff);
    this.sseq = Math.floor(r() * 0xffffffff);
  }

  private emit(fromClient: boolean, seq: number, ack: number, flags: number, payload: Buffer): void {
    const [a, b, pa, pb] = fromClient ? [this.client, this.server, this.cport, this.sport] : [this.server, this.client, this.sport, this.cport];
    if (flags === TCP_ACK && payload.length === 0) this.pureAcks++;
    this.w.write(ipPacket(a, b, 6, tcp(pa, pb, seq, ack, flags, payload), this.ipId++), this.clock.advanceMs(0.05));
  }

  handshake(rttMs = 20): void {
    this.emit(true, this.cseq, 0, TCP_SYN, Buffer.alloc(0));
    this.clock.advanceMs(rttMs / 2);
    this.emit(false, this.sseq, this.cseq + 1, TCP_SYN | TCP_ACK, Buffer.alloc(0));
    this.clock.advanceMs(rttMs / 2);
    this.cseq = (this.cseq + 1) >>> 0;
    this.sseq = (this.sseq + 1) >>> 0;
    this.emit(true, this.cseq, this.sseq, TCP_ACK, Buffer.alloc(0));
  }

  /** Send `data` from one side in MSS-sized segments, with optional retransmissions and reordering. */
  send(fromClient: boolean, data: Buffer): void {
    const mss = this.opts.mss ?? 1448;
    const r = this.opts.rand ?? Math.random;
    const segs: Array<[number, Buffer]> = [];
    let seq = fromClient ? this.cseq : this.sseq;
    for (let off = 0; off < data.length; off += mss) {
      const chunk = data.subarray(off, Math.min(off + mss, data.length));
      segs.push([seq, chunk]);
      seq = (seq + chunk.length) >>> 0;
    }
    const ack = fromClient ? this.sseq : this.cseq;
    const every = this.opts.ackEvery ?? 0;
    if (every > 0) {
      this.sendAcked(fromClient, segs, ack, seq, every, r);
      return;
    }
    for (let i = 0; i < segs.length; i++) {
      if (i + 1 < segs.length && r() < (this.opts.reorder ?? 0)) {
        [segs[i], segs[i + 1]] = [segs[i + 1], segs[i]];
      }
      const [s, chunk] = segs[i];
      this.emit(fromClient, s, ack, TCP_ACK | TCP_PSH, chunk);
      if (r() < (this.opts.retransmit ?? 0)) this.emit(fromClient, s, ack, TCP_ACK | TCP_PSH, chunk);
    }
    if (fromClient) this.cseq = seq;
    else this.sseq = seq;
    this.emit(!fromClient, fromClient ? this.sseq : this.cseq, seq, TCP_ACK, Buffer.alloc(0));
  }

  /**
   * `send()` with a receiver that acknowledges as a real stack does (see
   * `TcpSessionOptions.ackEvery`). Draws the same random numbers as the original loop,
   * so both modes segment, reorder and retransmit alike.
   */
  private sendAcked(fromClient: boolean, segs: Array<[number, Buffer]>, ack: number, end: number, every: number, r: () => number): void {
    const rcvSeq = fromClient ? this.sseq : this.cseq;
    // The receiver's view: next byte expected, in-order segments not yet acknowledged,
    // and segments that arrived above a hole (start, end), waiting for it to fill.
    let next = fromClient ? this.cseq : this.sseq;
    let unacked = 0;
    const above: Array<[number, number]> = [];
    const ackNow = (): void => {
      this.emit(!fromClient, rcvSeq, next, TCP_ACK, EMPTY);
      unacked = 0;
    };
    const arrive = (s: number, len: number): void => {
      const e = (s + len) >>> 0;
      if (!seqBefore(next, e)) {
        ackNow(); // all of it seen before: a duplicate ACK (D-SACK on real stacks)
      } else if (seqBefore(next, s)) {
        above.push([s, e]);
        ackNow(); // above a hole: a duplicate ACK asking for the missing bytes
      } else {
        next = e;
        if (above.length === 0) {
          if (++unacked >= every) ackNow();
          return;
        }
        // A hole filled: take in what waited above it and acknowledge at once.
        for (let moved = true; moved;) {
          moved = false;
          for (let j = 0; j < above.length; j++) {
            if (seqBefore(next, above[j][0])) continue;
            if (seqBefore(next, above[j][1])) next = above[j][1];
            above.splice(j, 1);
            moved = true;
            break;
          }
        }
        ackNow();
      }
    };
    for (let i = 0; i < segs.length; i++) {
      if (i + 1 < segs.length && r() < (this.opts.reorder ?? 0)) {
        [segs[i], segs[i + 1]] = [segs[i + 1], segs[i]];
      }
      const [s, chunk] = segs[i];
      this.emit(fromClient, s, ack, TCP_ACK | TCP_PSH, chunk);
      arrive(s, chunk.length);
      if (r() < (this.opts.retransmit ?? 0)) {
        this.emit(fromClient, s, ack, TCP_ACK | TCP_PSH, chunk);
        arrive(s, chunk.length);
      }
    }
    if (fromClient) this.cseq = end;
    else this.sseq = end;
    // The delayed-ACK timer fires for what is left (every segment has arrived by now).
    if (unacked > 0) ackNow();
  }

  close(): void {
    this.emit(true, this.cseq, this.sseq, TCP_FIN | TCP_ACK, Buffer.alloc(0));
    this.emit(false, this.sseq, this.cseq + 1, TCP_FIN | TCP_ACK, Buffer.alloc(0));
    this.emit(true, this.cseq + 1, this.sseq + 1, TCP_ACK, Buffer.alloc(0));
  }
}

const EMPTY = Buffer.alloc(0);

/** Write one UDP datagram. */
export function writeUdp(w: CaptureWriter, clock: Clock, src: Host, dst: Host, sport: number, dport: number, payload: Buffer, gapMs = 1): void {
  w.write(ipPacket(src, dst, 17, udp(sport, dport, payload), 0), clock.advanceMs(gapMs));
}
