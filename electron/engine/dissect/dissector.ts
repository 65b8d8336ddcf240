/**
 * The dissector of one input: link layer → IPv4/IPv6 (with fragment reassembly) →
 * TCP (reassembly, protocol choice) / UDP (conversations) → registered application
 * protocols. One instance per input file; feed frames in file order, then finish().
 */
import type { RawFrame } from '../capture/types.ts';
import type { RecordSink } from '../records.ts';
import { getTcpProtocols, getUdpProtocols } from '../protocols/types.ts';
import type { TcpProtocol, UdpProtocol } from '../protocols/types.ts';
import type { DissectContext, IpPacket } from './context.ts';
import { FragmentReassembler } from './ip-fragments.ts';
import { parseIpv4 } from './ipv4.ts';
import type { Ipv4Header } from './ipv4.ts';
import { WALK_ERROR, WALK_FRAGMENT, WALK_OK, walkIpv6 } from './ipv6.ts';
import type { Ipv6Walk } from './ipv6.ts';
import { LINK_IPV4, LINK_IPV6, LINK_SKIP, LINK_TRUNCATED, LINK_UNKNOWN_TYPE, parseLink } from './link.ts';
import type { LinkInfo } from './link.ts';
import { TcpTracker } from './tcp.ts';
import { UdpTracker } from './udp.ts';

/** Caps and timeouts; every field is optional. */
export interface DissectorOptions {
  /** Open TCP connections kept at once; the idlest is closed beyond it. */
  maxTcpConnections?: number;
  /** UDP conversations kept at once. */
  maxUdpConversations?: number;
  /** Out-of-order bytes buffered per TCP direction before a hole is skipped. */
  maxOutOfOrderBytes?: number;
  /** Out-of-order bytes buffered over all connections. */
  maxTotalOutOfOrderBytes?: number;
  /** Bytes held by incomplete fragmented datagrams. */
  maxFragmentBytes?: number;
  /** Incomplete fragmented datagrams held at once. */
  maxFragmentDatagrams?: number;
  /** Idle time (capture seconds) after which a TCP connection is closed. */
  tcpIdleSec?: number;
  /** How long a closed TCP connection absorbs late packets (final ACKs, retransmitted FINs). */
  tcpClosedLingerSec?: number;
  /** Idle time after which a UDP conversation ends. */
  udpIdleSec?: number;
  /** Capture seconds an incomplete fragmented datagram is kept. */
  fragmentTimeoutSec?: number;
  /** Bytes of each TCP direction within which protocol heuristics are retried. */
  heuristicWindow?: number;
  /** Anomalies of one kind recorded before further ones are only counted. */
  maxAnomaliesPerKind?: number;
  /** Protocols to use instead of the registry (tests, tools). */
  tcpProtocols?: readonly TcpProtocol[];
  udpProtocols?: readonly UdpProtocol[];
}

/** Counters of one dissector run. */
export interface DissectorStats {
  frames: number;
  /** Frames that carry no IP (ARP, LLDP, ...) or use an unknown link type. */
  nonIp: number;
  ipv4: number;
  ipv6: number;
  fragments: number;
  reassembled: number;
  icmp: number;
  /** IP packets of other protocols (GRE, ESP, IGMP, SCTP, ...). */
  otherIp: number;
  tcpPackets: number;
  udpPackets: number;
  tcpConnections: number;
  udpConversations: number;
  tcpEvicted: number;
  udpEvicted: number;
  /** Frames cut by the capture's snapshot length. */
  truncatedFrames: number;
  anomalies: number;
}

/** A forward clock jump larger than this needs a second frame to confirm it. */
const MAX_CLOCK_JUMP_SEC = 3600;
const LINKTYPE_MASK = 0x03ffffff;

const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

interface KindCount {
  layer: string;
  count: number;
}

/** Dissects the frames of one input into records on `sink`. */
export class Dissector implements DissectContext {
  readonly input: number;
  readonly sink: RecordSink;
  private readonly tcp: TcpTracker;
  private readonly udp: UdpTracker;
  private readonly frags: FragmentReassembler;
  private readonly maxPerKind: number;
  private readonly link: LinkInfo = { off: 0, macSrc: -1, macDst: -1, error: '' };
  private readonly v4: Ipv4Header = { headerLen: 0, totalLen: 0, id: 0, fragOffset: 0, more: false, proto: 0, src: 0, dst: 0, error: '' };
  private readonly walk: Ipv6Walk = { proto: 0, off: 0, fragOffset: 0, fragMore: false, fragId: 0, fragNext: 0, error: '' };
  private readonly ip: IpPacket;
  private readonly kinds = new Map<string, KindCount>();
  private readonly unknownLinkTypes = new Set<number>();
  private snaplenReported = false;
  private now = Number.NEGATIVE_INFINITY;
  private pendingJump = false;
  private nextExpiry = Number.NEGATIVE_INFINITY;
  private finished = false;
  private readonly counts = {
    frames: 0, nonIp: 0, ipv4: 0, ipv6: 0, fragments: 0, reassembled: 0, icmp: 0, otherIp: 0,
    truncatedFrames: 0, anomalies: 0,
  };

  constructor(input: number, sink: RecordSink, opts: DissectorOptions = {}) {
    this.input = input;
    this.sink = sink;
    this.maxPerKind = opts.maxAnomaliesPerKind ?? 1000;
    this.tcp = new TcpTracker(this, {
      maxConnections: opts.maxTcpConnections ?? 65536,
      maxOooBytesPerDir: opts.maxOutOfOrderBytes ?? 2 * 1024 * 1024,
      maxOooBytesTotal: opts.maxTotalOutOfOrderBytes ?? 128 * 1024 * 1024,
      idleSec: opts.tcpIdleSec ?? 300,
      closedLingerSec: opts.tcpClosedLingerSec ?? 30,
      heuristicWindow: opts.heuristicWindow ?? 65536,
    }, opts.tcpProtocols ?? getTcpProtocols());
    this.udp = new UdpTracker(this, {
      maxConversations: opts.maxUdpConversations ?? 65536,
      idleSec: opts.udpIdleSec ?? 120,
    }, opts.udpProtocols ?? getUdpProtocols());
    this.frags = new FragmentReassembler(this, {
      maxBytes: opts.maxFragmentBytes ?? 16 * 1024 * 1024,
      maxDatagrams: opts.maxFragmentDatagrams ?? 4096,
      timeoutSec: opts.fragmentTimeoutSec ?? 60,
    });
    const empty = Buffer.alloc(0);
    this.ip = {
      version: 4, addrBuf: empty, srcOff: 0, dstOff: 0, src4: 0, dst4: 0, srcLow: true, frameBytes: 0,
      frameBuf: empty, macSrc: -1, macDst: -1, frame: 0, tsSec: 0, tsNsec: 0,
    };
  }

  /** Counters so far. */
  get stats(): DissectorStats {
    const c = this.counts;
    return {
      ...c,
      tcpPackets: this.tcp.stats.tcpPackets,
      udpPackets: this.udp.stats.udpPackets,
      tcpConnections: this.tcp.stats.tcpConnections,
      udpConversations: this.udp.stats.udpConversations,
      tcpEvicted: this.tcp.stats.tcpEvicted,
      udpEvicted: this.udp.stats.udpEvicted,
    };
  }

  /** Open TCP connections, UDP conversations and buffered bytes: for tests of the caps. */
  get occupancy(): { tcp: number; udp: number; fragments: number; fragmentBytes: number; outOfOrderBytes: number } {
    return { tcp: this.tcp.size, udp: this.udp.size, fragments: this.frags.pending, fragmentBytes: this.frags.bufferedBytes, outOfOrderBytes: this.tcp.bufferedBytes };
  }

  /** Dissect one frame. The frame's buffer is only read during the call. */
  frame(f: RawFrame): void {
    if (this.finished) return;
    this.counts.frames++;
    this.clock(f.tsSec);
    // Readers that expose the chunk let us skip making a view of every frame.
    const whole = f.buffer;
    const d = whole ?? f.data;
    const start = whole === undefined ? 0 : f.start ?? 0;
    const end = whole === undefined ? d.length : f.end ?? d.length;
    const link = this.link;
    const lt = f.linkType & LINKTYPE_MASK;
    const kind = parseLink(d, start, end, lt, link);
    if (kind !== LINK_IPV4 && kind !== LINK_IPV6) {
      this.counts.nonIp++;
      if (kind === LINK_UNKNOWN_TYPE) {
        if (!this.unknownLinkTypes.has(lt)) {
          this.unknownLinkTypes.add(lt);
          this.anomaly(f.index, 'link', 'unsupported link type', `LINKTYPE ${lt}; its frames are not dissected`);
        }
      } else if (kind === LINK_TRUNCATED) {
        this.anomaly(f.index, 'link', 'malformed link header', link.error);
      } else if (kind !== LINK_SKIP) {
        this.anomaly(f.index, 'link', 'unexpected link result', String(kind));
      }
      return;
    }
    const ip = this.ip;
    ip.frame = f.index;
    ip.tsSec = f.tsSec;
    ip.tsNsec = f.tsNsec;
    ip.frameBuf = d;
    ip.macSrc = link.macSrc;
    ip.macDst = link.macDst;
    const captured = end - start;
    ip.frameBytes = f.origLen > captured ? f.origLen : captured;
    const cut = f.origLen > captured;
    if (cut) this.counts.truncatedFrames++;
    if (kind === LINK_IPV4) this.ipv4(d, link.off, end, cut, 0);
    else this.ipv6(d, link.off, end, cut, 0);
  }

  /** End of input: flush reassembly, close every flow, report what was left incomplete. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.frags.finish();
    this.tcp.finish();
    this.udp.finish();
    for (const [kind, k] of this.kinds) {
      if (k.count > this.maxPerKind) {
        this.sink.anomaly({ input: this.input, frame: null, layer: k.layer, error: `${k.count - this.maxPerKind} more "${kind}" anomalies not recorded` });
      }
    }
  }

  /** Record an anomaly, rate-limited per kind. */
  anomaly(frame: number | null, layer: string, kind: string, detail?: string): void {
    this.counts.anomalies++;
    let k = this.kinds.get(kind);
    if (k === undefined) { k = { layer, count: 0 }; this.kinds.set(kind, k); }
    if (++k.count > this.maxPerKind) return;
    this.sink.anomaly({ input: this.input, frame, layer, error: detail === undefined ? kind : `${kind}: ${detail}` });
  }

  /** Advance capture time; a single far-future timestamp does not expire everything. */
  private clock(sec: number): void {
    if (sec <= this.now) { this.pendingJump = false; return; }
    if (this.now !== Number.NEGATIVE_INFINITY && sec - this.now > MAX_CLOCK_JUMP_SEC && !this.pendingJump) {
      this.pendingJump = true;
      return;
    }
    this.pendingJump = false;
    this.now = sec;
    if (sec >= this.nextExpiry) {
      this.nextExpiry = sec + 1;
      this.frags.expire(sec);
      this.tcp.expire(sec);
      this.udp.expire(sec);
    }
  }

  private truncatedNote(frame: number, layer: string, have: number, want: number): void {
    if (this.snaplenReported) return;
    this.snaplenReported = true;
    this.anomaly(frame, layer, 'packets cut by the capture snapshot length', `captured ${have} of ${want} bytes; later cut packets are not reported one by one`);
  }

  /** IPv4 packet at d[off, limit); `cut` = the capture kept fewer bytes than were on the wire. */
  private ipv4(d: Buffer, off: number, limit: number, cut: boolean, depth: number): void {
    this.counts.ipv4++;
    const h = this.v4;
    const ip = this.ip;
    if (!parseIpv4(d, off, limit - off, h)) {
      if (cut && limit - off < 20) this.truncatedNote(ip.frame, 'ipv4', limit - off, 20);
      else this.anomaly(ip.frame, 'ipv4', 'malformed IPv4 header', h.error);
      return;
    }
    let end = off + h.totalLen;
    let claimed = h.totalLen - h.headerLen;
    if (end > limit) {
      if (cut) {
        this.truncatedNote(ip.frame, 'ipv4', limit - off, h.totalLen);
      } else {
        this.anomaly(ip.frame, 'ipv4', 'IPv4 total length exceeds captured data', `${h.totalLen} > ${limit - off}`);
        claimed = limit - off - h.headerLen;
      }
      end = limit;
    }
    ip.version = 4;
    ip.addrBuf = d;
    ip.srcOff = off + 12;
    ip.dstOff = off + 16;
    ip.src4 = h.src;
    ip.dst4 = h.dst;
    const start = off + h.headerLen;
    if (h.more || h.fragOffset !== 0) {
      this.counts.fragments++;
      if (end - start < claimed) return; // a cut fragment can never complete the datagram
      const key = String.fromCharCode(h.src >>> 16, h.src & 0xffff, h.dst >>> 16, h.dst & 0xffff, h.id, h.proto);
      const dg = this.frags.add(key, 'ipv4', d, start, end, h.fragOffset, h.more, h.proto, ip.frame, ip.tsSec, ip.frameBytes);
      if (dg === null) return;
      this.counts.reassembled++;
      ip.frameBytes = dg.frameBytes;
      const buf = dg.buf as Buffer;
      this.transport(h.proto, buf, 0, dg.total, dg.total, depth);
      return;
    }
    this.transport(h.proto, d, start, end, claimed, depth);
  }

  /** IPv6 packet at d[off, limit). */
  private ipv6(d: Buffer, off: number, limit: number, cut: boolean, depth: number): void {
    this.counts.ipv6++;
    const ip = this.ip;
    const avail = limit - off;
    if (avail < 40) {
      if (cut) this.truncatedNote(ip.frame, 'ipv6', avail, 40);
      else this.anomaly(ip.frame, 'ipv6', 'truncated IPv6 header', `${avail} bytes`);
      return;
    }
    if (d[off] >> 4 !== 6) {
      this.anomaly(ip.frame, 'ipv6', 'malformed IPv6 header', `IP version ${d[off] >> 4} in an IPv6 packet`);
      return;
    }
    const plen = (d[off + 4] << 8) | d[off + 5];
    let end = off + 40 + plen;
    let claimedEnd = end;
    if (plen === 0) {
      // Jumbogram or segmentation offload: the captured bytes are all there is.
      end = claimedEnd = limit;
    } else if (end > limit) {
      if (cut) this.truncatedNote(ip.frame, 'ipv6', avail, 40 + plen);
      else {
        this.anomaly(ip.frame, 'ipv6', 'IPv6 payload length exceeds captured data', `${plen} > ${avail - 40}`);
        claimedEnd = limit;
      }
      end = limit;
    }
    ip.version = 6;
    ip.addrBuf = d;
    ip.srcOff = off + 8;
    ip.dstOff = off + 24;
    const w = this.walk;
    const r = walkIpv6(d, off + 40, end, d[off + 6], true, w);
    if (r === WALK_OK) {
      this.transport(w.proto, d, w.off, end, claimedEnd - w.off, depth);
      return;
    }
    if (r === WALK_ERROR) {
      if (cut && end === limit) this.truncatedNote(ip.frame, 'ipv6', avail, 40 + plen);
      else this.anomaly(ip.frame, 'ipv6', 'malformed IPv6 extension header', w.error);
      return;
    }
    if (r !== WALK_FRAGMENT) {
      this.counts.otherIp++;
      return;
    }
    this.counts.fragments++;
    if (end < claimedEnd) return;
    const key = this.fragKey6(d, off, w.fragId);
    const dg = this.frags.add(key, 'ipv6', d, w.off, end, w.fragOffset, w.fragMore, w.fragNext, ip.frame, ip.tsSec, ip.frameBytes);
    if (dg === null) return;
    this.counts.reassembled++;
    ip.frameBytes = dg.frameBytes;
    const buf = dg.buf as Buffer;
    const r2 = walkIpv6(buf, 0, dg.total, dg.nextHeader, false, w);
    if (r2 === WALK_OK) this.transport(w.proto, buf, w.off, dg.total, dg.total - w.off, depth);
    else if (r2 === WALK_ERROR) this.anomaly(ip.frame, 'ipv6', 'malformed reassembled IPv6 packet', w.error);
    else this.counts.otherIp++;
  }

  private fragKey6(d: Buffer, off: number, id: number): string {
    const s = off + 8;
    return String.fromCharCode(
      (d[s] << 8) | d[s + 1], (d[s + 2] << 8) | d[s + 3], (d[s + 4] << 8) | d[s + 5], (d[s + 6] << 8) | d[s + 7],
      (d[s + 8] << 8) | d[s + 9], (d[s + 10] << 8) | d[s + 11], (d[s + 12] << 8) | d[s + 13], (d[s + 14] << 8) | d[s + 15],
      (d[s + 16] << 8) | d[s + 17], (d[s + 18] << 8) | d[s + 19], (d[s + 20] << 8) | d[s + 21], (d[s + 22] << 8) | d[s + 23],
      (d[s + 24] << 8) | d[s + 25], (d[s + 26] << 8) | d[s + 27], (d[s + 28] << 8) | d[s + 29], (d[s + 30] << 8) | d[s + 31],
      id >>> 16, id & 0xffff,
    );
  }

  /** Upper layer at buf[off, end); `claimed` is its length on the wire. */
  private transport(proto: number, buf: Buffer, off: number, end: number, claimed: number, depth: number): void {
    switch (proto) {
      case IPPROTO_TCP:
        this.tcp.packet(this.ip, buf, off, end, claimed);
        return;
      case IPPROTO_UDP:
        this.udp.packet(this.ip, buf, off, end, claimed);
        return;
      case IPPROTO_ICMP:
      case IPPROTO_ICMPV6:
        // Errors quote the offending packet; it must not be fed to the flows again.
        this.counts.icmp++;
        return;
      case IPPROTO_IPIP:
      case IPPROTO_IPV6:
        // IP-in-IP tunnels (incl. 6in4): dissect the inner packet, to a bounded depth.
        if (depth < 2 && end > off) {
          if (proto === IPPROTO_IPIP) this.ipv4(buf, off, end, claimed > end - off, depth + 1);
          else this.ipv6(buf, off, end, claimed > end - off, depth + 1);
        } else {
          this.counts.otherIp++;
        }
        return;
      default:
        this.counts.otherIp++;
    }
  }
}
