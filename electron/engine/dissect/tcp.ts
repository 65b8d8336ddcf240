/**
 * TCP connections: bidirectional table, client/server orientation, reassembly per
 * direction, choice of the application protocol (heuristics first, then ports, with
 * late retries for STARTTLS-like upgrades), close on FIN/RST/idle, and one
 * FlowRecord per connection.
 */
import type { FlowRecord } from '../records.ts';
import type { StreamChunkMeta, StreamDir, TcpProtocol, TcpStreamHandler } from '../protocols/types.ts';
import { toNs } from '../util/time.ts';
import { ipv4String, ipv6String } from './addr.ts';
import type { DissectContext, IpPacket } from './context.ts';
import { ConvEntry, countPacket, startConv } from './conv-entry.ts';
import { FlowTable } from './flow-table.ts';
import { TcpStream } from './tcp-stream.ts';
import type { OooBudget, StreamOwner } from './tcp-stream.ts';

const ACTIVE = 0;
const CLOSED = 1;

const MODE_UNDECIDED = 0;
const MODE_DECIDED = 1;
const MODE_IGNORED = 2;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

export interface TcpLimits {
  maxConnections: number;
  maxOooBytesPerDir: number;
  maxOooBytesTotal: number;
  idleSec: number;
  closedLingerSec: number;
  heuristicWindow: number;
}

/** One TCP connection. Index 0 of the per-direction pairs is the client→server side. */
export class TcpConn extends ConvEntry implements StreamOwner {
  readonly tracker: TcpTracker;
  closed = false;
  /** Orientation came from SYN/SYN-ACK or a heuristic, not from a port guess. */
  certain = false;
  clientIp = '';
  serverIp = '';
  clientPort = 0;
  serverPort = 0;
  fin0 = false;
  fin1 = false;
  streams: [TcpStream, TcpStream];
  mode = MODE_UNDECIDED;
  proto: TcpProtocol | null = null;
  handler: TcpStreamHandler | null = null;
  portsTried = false;
  /** Client ISN once its SYN was seen, else -1. */
  synSeq = -1;
  sawPayload = false;

  constructor(tracker: TcpTracker, budget: OooBudget, maxOoo: number) {
    super();
    this.tracker = tracker;
    this.streams = [new TcpStream(0, this, budget, maxOoo), new TcpStream(1, this, budget, maxOoo)];
  }

  chunk(s: TcpStream, bytes: Buffer, frame: number, tsSec: number, tsNsec: number, gap: number): void {
    this.tracker.onChunk(this, s, bytes, frame, tsSec, tsNsec, gap);
  }

  /** Swap client and server (only before a protocol handler exists). */
  flip(): void {
    this.lowIsClient = !this.lowIsClient;
    let t: string | null = this.clientIp; this.clientIp = this.serverIp; this.serverIp = t;
    t = this.clientMac; this.clientMac = this.serverMac; this.serverMac = t;
    let n = this.clientPort; this.clientPort = this.serverPort; this.serverPort = n;
    n = this.packets0; this.packets0 = this.packets1; this.packets1 = n;
    n = this.bytes0; this.bytes0 = this.bytes1; this.bytes1 = n;
    const f = this.fin0; this.fin0 = this.fin1; this.fin1 = f;
    this.streams = [this.streams[1], this.streams[0]];
    this.streams[0].dir = 0;
    this.streams[1].dir = 1;
  }
}

/** Counters kept by the TCP layer. */
export interface TcpStats {
  tcpPackets: number;
  tcpConnections: number;
  tcpEvicted: number;
}

export class TcpTracker {
  private readonly ctx: DissectContext;
  private readonly limits: TcpLimits;
  private readonly table = new FlowTable<TcpConn>();
  private readonly budget: OooBudget;
  private readonly heuristics: TcpProtocol[];
  private readonly byPort = new Map<number, TcpProtocol>();
  readonly stats: TcpStats = { tcpPackets: 0, tcpConnections: 0, tcpEvicted: 0 };
  /** Handed to every handler call (handlers read it during the call only): one object, not one per chunk. */
  private readonly meta: StreamChunkMeta = { frame: 0, tsSec: 0, tsNsec: 0, gapBefore: 0 };

  constructor(ctx: DissectContext, limits: TcpLimits, protocols: readonly TcpProtocol[]) {
    this.ctx = ctx;
    this.limits = limits;
    this.budget = { used: 0, max: limits.maxOooBytesTotal };
    this.heuristics = protocols.filter((p) => typeof p.heuristic === 'function');
    for (const p of protocols) for (const port of p.tcpPorts) if (!this.byPort.has(port)) this.byPort.set(port, p);
  }

  /** Open connections (including closed ones lingering for late packets). */
  get size(): number {
    return this.table.size;
  }

  /** Out-of-order bytes buffered across all connections. */
  get bufferedBytes(): number {
    return this.budget.used;
  }

  /** Handle the TCP segment d[off, end) whose length on the wire is `claimedLen`. */
  packet(ip: IpPacket, d: Buffer, off: number, end: number, claimedLen: number): void {
    this.stats.tcpPackets++;
    if (end - off < 20) {
      this.ctx.anomaly(ip.frame, 'tcp', 'truncated TCP header', `${end - off} bytes`);
      return;
    }
    const hlen = (d[off + 12] >> 4) * 4;
    if (hlen < 20) {
      this.ctx.anomaly(ip.frame, 'tcp', 'bad TCP data offset', `${hlen}`);
      return;
    }
    let payStart = off + hlen;
    if (payStart > end) {
      if (claimedLen > end - off) {
        payStart = end; // options cut by the snaplen: the payload is simply absent
      } else {
        this.ctx.anomaly(ip.frame, 'tcp', 'TCP header longer than segment', `header ${hlen}, segment ${end - off}`);
        return;
      }
    }
    const payClaimed = claimedLen - hlen > 0 ? claimedLen - hlen : 0;
    const sp = (d[off] << 8) | d[off + 1];
    const dp = (d[off + 2] << 8) | d[off + 3];
    const seq = ((d[off + 4] << 24) | (d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]) >>> 0;
    const ack = ((d[off + 8] << 24) | (d[off + 9] << 16) | (d[off + 10] << 8) | d[off + 11]) >>> 0;
    const flags = d[off + 13];
    const syn = (flags & SYN) !== 0;
    const ackf = (flags & ACK) !== 0;

    let c = this.table.find(ip, sp, dp);
    if (c !== undefined && syn && !ackf && this.isNewConnection(c, seq)) {
      this.finalize(c);
      c = undefined;
    }
    if (c === undefined) c = this.create(ip, sp, dp, flags);
    let dir: StreamDir = ip.srcLow === c.lowIsClient ? 0 : 1;
    if (!c.certain && !c.closed && (syn && !ackf ? dir === 1 : syn && dir === 0)) {
      // A SYN or SYN-ACK settles a port-based guess before any payload was seen.
      if (c.mode === MODE_UNDECIDED) { c.flip(); dir = dir === 0 ? 1 : 0; }
    }
    if (syn) {
      c.certain = true;
      if (!ackf && dir === 0 && c.synSeq < 0) c.synSeq = seq;
    }
    this.table.touch(c, ip.tsSec);
    countPacket(c, ip, dir);
    if (c.closed) return;
    if (payClaimed > 0) c.sawPayload = true;

    const s = c.streams[dir];
    const fin = (flags & FIN) !== 0;
    const rst = (flags & RST) !== 0;
    // Payload on a RST is a diagnostic text, not stream data.
    if (c.mode !== MODE_IGNORED && !rst) {
      const o = c.streams[dir === 0 ? 1 : 0];
      s.segment(seq, syn, fin, d, payStart, end, payClaimed, ip.frame, ip.tsSec, ip.tsNsec);
      if (ackf && o.init) o.acked(ack);
    }
    // A heuristic may have flipped the connection while the segment was delivered.
    if (fin) { if (s.dir === 0) c.fin0 = true; else c.fin1 = true; }
    if (rst) {
      this.close(c);
    } else if (c.fin0 && c.fin1 && (c.mode === MODE_IGNORED || (c.streams[0].finished && c.streams[1].finished))) {
      this.close(c);
    }
  }

  /** Deliver a reassembled chunk to the protocol, or try to pick one. */
  onChunk(c: TcpConn, s: TcpStream, bytes: Buffer, frame: number, tsSec: number, tsNsec: number, gap: number): void {
    if (c.mode === MODE_UNDECIDED) this.decide(c, s, bytes, s.delivered - bytes.length);
    if (c.mode !== MODE_DECIDED || c.handler === null) return;
    try {
      const meta = this.meta;
      meta.frame = frame;
      meta.tsSec = tsSec;
      meta.tsNsec = tsNsec;
      meta.gapBefore = gap;
      c.handler.data(s.dir, bytes, meta);
    } catch (e) {
      this.protocolFailed(c, frame, e);
      return;
    }
    if (c.handler.done === true) {
      c.streams[0].discard = true;
      c.streams[1].discard = true;
    }
  }

  /** Capture time advanced to `now`: close idle connections. */
  expire(now: number): void {
    let c = this.table.oldest(CLOSED);
    while (c !== null && c.lastSec + this.limits.closedLingerSec < now) { this.finalize(c); c = this.table.oldest(CLOSED); }
    c = this.table.oldest(ACTIVE);
    while (c !== null && c.lastSec + this.limits.idleSec < now) { this.finalize(c); c = this.table.oldest(ACTIVE); }
  }

  /** End of input: close everything, idlest first. */
  finish(): void {
    for (const list of [CLOSED, ACTIVE]) {
      let c = this.table.oldest(list);
      while (c !== null) { this.finalize(c); c = this.table.oldest(list); }
    }
  }

  private isNewConnection(c: TcpConn, seq: number): boolean {
    if (c.closed) return true;
    if (c.synSeq >= 0) return seq !== c.synSeq;
    return c.sawPayload || c.fin0 || c.fin1;
  }

  /** A new connection for the packet just looked up (the table remembers its key). */
  private create(ip: IpPacket, sp: number, dp: number, flags: number): TcpConn {
    while (this.table.size >= this.limits.maxConnections) {
      const victim = this.table.oldest(CLOSED) ?? this.table.oldest(ACTIVE);
      if (victim === null) break;
      this.stats.tcpEvicted++;
      this.finalize(victim);
    }
    const c = new TcpConn(this, this.budget, this.limits.maxOooBytesPerDir);
    let srcIsClient: boolean;
    if ((flags & SYN) !== 0) {
      srcIsClient = (flags & ACK) === 0;
      c.certain = true;
    } else {
      const srcSvc = this.isService(sp);
      const dstSvc = this.isService(dp);
      if (srcSvc !== dstSvc) srcIsClient = dstSvc;
      else srcIsClient = sp !== dp ? sp > dp : true;
    }
    c.lowIsClient = srcIsClient ? ip.srcLow : !ip.srcLow;
    const srcIp = ip.version === 4 ? ipv4String(ip.src4) : ipv6String(ip.addrBuf, ip.srcOff);
    const dstIp = ip.version === 4 ? ipv4String(ip.dst4) : ipv6String(ip.addrBuf, ip.dstOff);
    if (srcIsClient) {
      c.clientIp = srcIp; c.clientPort = sp; c.serverIp = dstIp; c.serverPort = dp;
    } else {
      c.clientIp = dstIp; c.clientPort = dp; c.serverIp = srcIp; c.serverPort = sp;
    }
    startConv(c, ip);
    this.table.add(c, ACTIVE, ip.tsSec);
    this.stats.tcpConnections++;
    return c;
  }

  private isService(port: number): boolean {
    return port < 1024 || this.byPort.has(port);
  }

  private decide(c: TcpConn, s: TcpStream, bytes: Buffer, chunkStart: number): void {
    const window = this.limits.heuristicWindow;
    let chosen: TcpProtocol | null = null;
    let senderIsClient = s.dir === 0;
    if (chunkStart < window) {
      if (c.certain) {
        chosen = this.tryHeuristics(c, bytes, s.dir);
      } else {
        // Orientation is only a port guess: ask first "is this what a client sends?", then "what a server sends?".
        chosen = this.tryHeuristics(c, bytes, 0);
        if (chosen !== null) senderIsClient = true;
        else {
          chosen = this.tryHeuristics(c, bytes, 1);
          if (chosen !== null) senderIsClient = false;
        }
      }
    }
    if (chosen === null && !c.portsTried) {
      c.portsTried = true;
      chosen = this.byPort.get(c.serverPort) ?? this.byPort.get(c.clientPort) ?? null;
      senderIsClient = s.dir === 0;
    }
    if (chosen === null) {
      const d0 = c.streams[0].delivered;
      const d1 = c.streams[1].delivered;
      if ((d0 >= window && d1 >= window) || d0 + d1 >= 4 * window) {
        c.mode = MODE_IGNORED;
        c.streams[0].release();
        c.streams[1].release();
      }
      return;
    }
    if (senderIsClient !== (s.dir === 0)) c.flip();
    c.certain = true;
    c.proto = chosen;
    c.mode = MODE_DECIDED;
    try {
      c.handler = chosen.open({
        input: this.ctx.input,
        clientIp: c.clientIp,
        clientPort: c.clientPort,
        serverIp: c.serverIp,
        serverPort: c.serverPort,
        clientMac: c.clientMac,
        serverMac: c.serverMac,
      }, this.ctx.sink);
    } catch (e) {
      this.protocolFailed(c, null, e);
    }
  }

  private tryHeuristics(c: TcpConn, bytes: Buffer, dir: StreamDir): TcpProtocol | null {
    const hs = this.heuristics;
    for (let i = 0; i < hs.length; i++) {
      const p = hs[i];
      try {
        if ((p.heuristic as (b: Buffer, d: StreamDir) => boolean)(bytes, dir)) return p;
      } catch (e) {
        this.ctx.anomaly(null, p.name, 'protocol heuristic threw', `${e instanceof Error ? e.message : String(e)} (${c.clientIp}:${c.clientPort})`);
      }
    }
    return null;
  }

  private protocolFailed(c: TcpConn, frame: number | null, e: unknown): void {
    const name = c.proto?.name ?? 'tcp';
    this.ctx.anomaly(frame, name, 'protocol handler threw', e instanceof Error ? e.message : String(e));
    // The handler's state is unknown now: stop feeding it, keep counting the flow.
    c.handler = null;
    c.mode = MODE_IGNORED;
    c.streams[0].release();
    c.streams[1].release();
  }

  /** Flush both directions and tell the protocol the connection ended; the entry lingers for late packets. */
  private close(c: TcpConn): void {
    if (c.closed) return;
    if (c.mode !== MODE_IGNORED) {
      c.streams[0].flush();
      c.streams[1].flush();
    }
    c.closed = true;
    c.streams[0].release();
    c.streams[1].release();
    const h = c.handler;
    if (h !== null) {
      try {
        h.end();
      } catch (e) {
        this.ctx.anomaly(null, c.proto?.name ?? 'tcp', 'protocol handler threw at end', e instanceof Error ? e.message : String(e));
      }
    }
    c.handler = null;
    this.table.moveTo(c, CLOSED);
  }

  private finalize(c: TcpConn): void {
    this.close(c);
    this.table.remove(c);
    const r: FlowRecord = {
      input: this.ctx.input,
      proto: 'tcp',
      srcIp: c.clientIp,
      srcPort: c.clientPort,
      dstIp: c.serverIp,
      dstPort: c.serverPort,
      srcMac: c.clientMac,
      dstMac: c.serverMac,
      firstFrame: c.firstFrame,
      firstTs: toNs(c.firstSec, c.firstNsec),
      lastTs: toNs(c.lastTsSec, c.lastTsNsec),
      packetsUp: c.packets0,
      packetsDown: c.packets1,
      bytesUp: c.bytes0,
      bytesDown: c.bytes1,
      app: c.proto?.name ?? null,
      gapBytes: c.streams[0].gapTotal + c.streams[1].gapTotal,
    };
    this.ctx.sink.flow(r);
  }
}
