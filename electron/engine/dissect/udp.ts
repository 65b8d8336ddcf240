/**
 * UDP conversations: bidirectional table with idle expiry, protocol choice by port
 * (lower port first) or heuristics, per-conversation protocol state, and one
 * FlowRecord per conversation.
 */
import type { FlowRecord } from '../records.ts';
import type { ConversationState, PacketInfo, UdpProtocol } from '../protocols/types.ts';
import { toNs } from '../util/time.ts';
import { ipv4String, ipv6String, macNumber, macText } from './addr.ts';
import type { DissectContext, IpPacket } from './context.ts';
import { ConvEntry, countPacket, startConv } from './conv-entry.ts';
import { FlowTable } from './flow-table.ts';

/** Packets of a conversation on which heuristics are tried before giving up. */
const HEURISTIC_TRIES = 8;

export interface UdpLimits {
  maxConversations: number;
  idleSec: number;
}

class UdpConv extends ConvEntry {
  ipVersion: 4 | 6 = 4;
  state: ConversationState;
  proto: UdpProtocol | null = null;
  tries = 0;
  /** Per-direction cache of the last source/destination MAC seen, as number and text. */
  srcMacNum: [number, number] = [-1, -1];
  srcMacStr: [string | null, string | null] = [null, null];
  dstMacNum: [number, number] = [-1, -1];
  dstMacStr: [string | null, string | null] = [null, null];
  constructor(state: ConversationState) {
    super();
    this.state = state;
  }
}

/** Counters kept by the UDP layer. */
export interface UdpStats {
  udpPackets: number;
  udpConversations: number;
  udpEvicted: number;
}

export class UdpTracker {
  private readonly ctx: DissectContext;
  private readonly limits: UdpLimits;
  private readonly table = new FlowTable<UdpConv>();
  private readonly heuristics: UdpProtocol[];
  private readonly byPort = new Map<number, UdpProtocol>();
  private readonly pkt: PacketInfo;
  readonly stats: UdpStats = { udpPackets: 0, udpConversations: 0, udpEvicted: 0 };

  constructor(ctx: DissectContext, limits: UdpLimits, protocols: readonly UdpProtocol[]) {
    this.ctx = ctx;
    this.limits = limits;
    this.heuristics = protocols.filter((p) => typeof p.heuristic === 'function');
    for (const p of protocols) for (const port of p.udpPorts) if (!this.byPort.has(port)) this.byPort.set(port, p);
    this.pkt = {
      input: ctx.input, frame: 0, tsSec: 0, tsNsec: 0, ipVersion: 4,
      srcIp: '', dstIp: '', srcPort: 0, dstPort: 0, srcMac: null, dstMac: null,
    };
  }

  /** Conversations in the table. */
  get size(): number {
    return this.table.size;
  }

  /** Handle the UDP datagram d[off, end) whose length on the wire is `claimedLen`. */
  packet(ip: IpPacket, d: Buffer, off: number, end: number, claimedLen: number): void {
    this.stats.udpPackets++;
    if (end - off < 8) {
      this.ctx.anomaly(ip.frame, 'udp', 'truncated UDP header', `${end - off} bytes`);
      return;
    }
    const sp = (d[off] << 8) | d[off + 1];
    const dp = (d[off + 2] << 8) | d[off + 3];
    const ulen = (d[off + 4] << 8) | d[off + 5];
    let payEnd = end;
    if (ulen !== 0) {
      // Length 0 is only legal for IPv6 jumbograms: then the IP length rules.
      if (ulen < 8) {
        this.ctx.anomaly(ip.frame, 'udp', 'bad UDP length', `${ulen}`);
      } else if (ulen <= end - off) {
        payEnd = off + ulen;
      } else if (ulen > claimedLen) {
        this.ctx.anomaly(ip.frame, 'udp', 'UDP length exceeds IP payload', `${ulen} > ${claimedLen}`);
      }
    }
    let c = this.table.find(ip, sp, dp);
    if (c === undefined) c = this.create(ip, sp, dp);
    const dir = ip.srcLow === c.lowIsClient ? 0 : 1;
    this.table.touch(c, ip.tsSec);
    countPacket(c, ip, dir);
    const payStart = off + 8;
    if (payEnd <= payStart || c.state.done === true) return;
    if (c.proto === null && (c.tries >= HEURISTIC_TRIES || this.heuristics.length === 0)) return;
    const payload = d.subarray(payStart, payEnd);
    const pkt = this.fill(c, ip, dir, sp, dp);
    if (c.proto === null) {
      c.tries++;
      const hs = this.heuristics;
      for (let i = 0; i < hs.length && c.proto === null; i++) {
        const p = hs[i];
        try {
          if ((p.heuristic as (b: Buffer, k: PacketInfo) => boolean)(payload, pkt)) c.proto = p;
        } catch (e) {
          this.ctx.anomaly(ip.frame, p.name, 'protocol heuristic threw', e instanceof Error ? e.message : String(e));
        }
      }
      if (c.proto === null) return;
    }
    c.state.fromClient = dir === 0;
    try {
      c.proto.datagram(payload, pkt, c.state, this.ctx.sink);
    } catch (e) {
      this.ctx.anomaly(ip.frame, c.proto.name, 'protocol handler threw', e instanceof Error ? e.message : String(e));
    }
  }

  /** Capture time advanced to `now`: end idle conversations. */
  expire(now: number): void {
    let c = this.table.oldest(0);
    while (c !== null && c.lastSec + this.limits.idleSec < now) { this.finalize(c); c = this.table.oldest(0); }
  }

  /** End of input: emit every conversation. */
  finish(): void {
    let c = this.table.oldest(0);
    while (c !== null) { this.finalize(c); c = this.table.oldest(0); }
  }

  /** A new conversation for the packet just looked up (the table remembers its key). */
  private create(ip: IpPacket, sp: number, dp: number): UdpConv {
    while (this.table.size >= this.limits.maxConversations) {
      const victim = this.table.oldest(0);
      if (victim === null) break;
      this.stats.udpEvicted++;
      this.finalize(victim);
    }
    const srcIp = ip.version === 4 ? ipv4String(ip.src4) : ipv6String(ip.addrBuf, ip.srcOff);
    const dstIp = ip.version === 4 ? ipv4String(ip.dst4) : ipv6String(ip.addrBuf, ip.dstOff);
    // The first sender initiates, unless it answers from a service port to a non-service
    // port: then the capture began with a response (a DNS answer, a QUIC server packet).
    const srcIsClient = !(this.isService(sp) && !this.isService(dp));
    const state: ConversationState = srcIsClient
      ? { data: null, fromClient: true, clientIp: srcIp, clientPort: sp, serverIp: dstIp, serverPort: dp }
      : { data: null, fromClient: false, clientIp: dstIp, clientPort: dp, serverIp: srcIp, serverPort: sp };
    const c = new UdpConv(state);
    c.lowIsClient = srcIsClient ? ip.srcLow : !ip.srcLow;
    c.ipVersion = ip.version;
    const lo = sp < dp ? sp : dp;
    const hi = sp < dp ? dp : sp;
    c.proto = this.byPort.get(lo) ?? this.byPort.get(hi) ?? null;
    startConv(c, ip);
    this.table.add(c, 0, ip.tsSec);
    this.stats.udpConversations++;
    return c;
  }

  private isService(port: number): boolean {
    return port < 1024 || this.byPort.has(port);
  }

  /** Fill the shared PacketInfo for a packet of `c` going in direction `dir`. */
  private fill(c: UdpConv, ip: IpPacket, dir: 0 | 1, sp: number, dp: number): PacketInfo {
    const pkt = this.pkt;
    const st = c.state;
    pkt.frame = ip.frame;
    pkt.tsSec = ip.tsSec;
    pkt.tsNsec = ip.tsNsec;
    pkt.ipVersion = c.ipVersion;
    pkt.srcIp = dir === 0 ? st.clientIp : st.serverIp;
    pkt.dstIp = dir === 0 ? st.serverIp : st.clientIp;
    pkt.srcPort = sp;
    pkt.dstPort = dp;
    const b = ip.frameBuf;
    if (ip.macSrc >= 0) {
      const n = macNumber(b, ip.macSrc);
      if (c.srcMacNum[dir] !== n) { c.srcMacNum[dir] = n; c.srcMacStr[dir] = macText(b, ip.macSrc); }
      pkt.srcMac = c.srcMacStr[dir];
    } else {
      pkt.srcMac = null;
    }
    if (ip.macDst >= 0) {
      const n = macNumber(b, ip.macDst);
      if (c.dstMacNum[dir] !== n) { c.dstMacNum[dir] = n; c.dstMacStr[dir] = macText(b, ip.macDst); }
      pkt.dstMac = c.dstMacStr[dir];
    } else {
      pkt.dstMac = null;
    }
    return pkt;
  }

  private finalize(c: UdpConv): void {
    this.table.remove(c);
    // Give the protocol a last chance to flush (e.g. a QUIC hello whose server never answered).
    if (c.proto?.end) {
      try {
        c.proto.end(c.state, this.ctx.sink);
      } catch (e) {
        this.ctx.anomaly(null, c.proto.name, 'protocol handler threw at end of conversation', e instanceof Error ? e.message : String(e));
      }
    }
    const st = c.state;
    const r: FlowRecord = {
      input: this.ctx.input,
      proto: 'udp',
      srcIp: st.clientIp,
      srcPort: st.clientPort,
      dstIp: st.serverIp,
      dstPort: st.serverPort,
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
      gapBytes: 0,
    };
    this.ctx.sink.flow(r);
  }
}
