/**
 * DNS over UDP (53), mDNS (5353), LLMNR (5355) and DNS over TCP (53, length-prefixed).
 * One DnsRecord per question (a message without questions gives one record with
 * qname '' and qtype 0), at most MAX_QUESTIONS per message; the answer section only is
 * decoded into `answers`, carried by the record of the first question alone (the
 * others get an empty list), so what is stored grows with the message, not with
 * questions × answers. mDNS A/AAAA answers for `*.local` names also give NameRecords.
 * Hostile names are marked as described in dns-wire.ts.
 */
import type { DnsAnswer, DnsRecord, RecordSink } from '../records.ts';
import { toNs } from '../util/time.ts';
import { cappedAnomaly } from './anomaly-cap.ts';
import { formatRdata, rdataResult, TYPE_A, TYPE_AAAA } from './dns-rdata.ts';
import { nameResult, readName } from './dns-wire.ts';
import {
  registerTcpProtocol,
  registerUdpProtocol,
  type ConversationState,
  type PacketInfo,
  type StreamChunkMeta,
  type StreamDir,
  type TcpConversation,
  type TcpProtocol,
  type TcpStreamHandler,
  type UdpProtocol,
} from './types.ts';

/** Where a DNS message was seen and how its conversation is oriented. */
export interface DnsContext {
  input: number;
  frame: number;
  ts: bigint;
  transport: 'udp' | 'tcp';
  flavor: 'dns' | 'mdns';
  /** Client (querier) side of the conversation. */
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** Sender of this very message (for mDNS name records). */
  senderIp: string;
  senderMac: string | null;
  /** Per-conversation set of name records already emitted (mDNS repeats itself a lot). */
  seenNames: Set<string> | null;
}

const HEADER_LEN = 12;
/** Bound on remembered mDNS names per conversation. */
const SEEN_NAMES_MAX = 512;
const NO_ANSWERS: DnsAnswer[] = [];
/**
 * Question records kept per message. Real resolvers send one question; mDNS packs a
 * few. A message claiming thousands would otherwise become thousands of records.
 */
export const MAX_QUESTIONS = 16;

function anomaly(sink: RecordSink, ctx: DnsContext, error: string): void {
  cappedAnomaly(sink, ctx.input, ctx.frame, 'dns', error);
}

/** Decode one DNS message and emit its records; never throws. */
export function emitDnsMessage(msg: Buffer, ctx: DnsContext, sink: RecordSink): void {
  try {
    parseMessage(msg, ctx, sink);
  } catch (e) {
    anomaly(sink, ctx, `unexpected DNS parser failure: ${(e as Error).message}`);
  }
}

function parseMessage(msg: Buffer, ctx: DnsContext, sink: RecordSink): void {
  if (msg.length < HEADER_LEN) {
    anomaly(sink, ctx, `DNS message of ${msg.length} bytes is shorter than its 12-byte header`);
    return;
  }
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  const response = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0x0f;
  const rcode = response ? flags & 0x0f : null;
  const qdcount = msg.readUInt16BE(4);
  const ancount = msg.readUInt16BE(6);

  let pos = HEADER_LEN;
  let broken = false;
  const qnames: string[] = [];
  const qtypes: number[] = [];
  for (let i = 0; i < qdcount; i++) {
    const name = readName(msg, pos);
    const err = nameResult.error;
    pos = nameResult.end;
    let qtype = 0;
    if (err !== null) {
      anomaly(sink, ctx, `question ${i + 1}: ${err}`);
      broken = true;
    }
    if (pos + 4 <= msg.length) {
      qtype = msg.readUInt16BE(pos);
      pos += 4;
    } else if (err === null) {
      anomaly(sink, ctx, `question ${i + 1} (${name}) is cut before its type and class`);
      broken = true;
    }
    // Questions past the cap are still read: the answers start after the last one.
    if (qnames.length < MAX_QUESTIONS) {
      qnames.push(name);
      qtypes.push(qtype);
    }
    if (broken) break;
  }
  if (qdcount > MAX_QUESTIONS) {
    anomaly(sink, ctx, `DNS message with ${qdcount} questions; only the first ${MAX_QUESTIONS} are recorded`);
  }

  let answers = NO_ANSWERS;
  if (!broken && ancount > 0) {
    answers = [];
    for (let i = 0; i < ancount; i++) {
      const name = readName(msg, pos);
      if (nameResult.error !== null) {
        anomaly(sink, ctx, `answer ${i + 1}: ${nameResult.error}`);
        break;
      }
      pos = nameResult.end;
      if (pos + 10 > msg.length) {
        anomaly(sink, ctx, `answer ${i + 1} (${name}) is cut inside its fixed fields`);
        break;
      }
      const type = msg.readUInt16BE(pos);
      const ttl = msg.readUInt32BE(pos + 4);
      const rdlen = msg.readUInt16BE(pos + 8);
      const rdStart = pos + 10;
      const rdEnd = rdStart + rdlen;
      if (rdEnd > msg.length) {
        anomaly(sink, ctx, `answer ${i + 1} (${name}) has RDATA of ${rdlen} bytes past the end of the message`);
        break;
      }
      const data = formatRdata(msg, type, rdStart, rdEnd);
      if (rdataResult.error !== null) anomaly(sink, ctx, `answer ${i + 1} (${name}): ${rdataResult.error}`);
      answers.push({ name, type, ttl, data });
      pos = rdEnd;
    }
  }

  const count = qnames.length === 0 ? 1 : qnames.length;
  for (let i = 0; i < count; i++) {
    const rec: DnsRecord = {
      input: ctx.input,
      frame: ctx.frame,
      ts: ctx.ts,
      srcIp: ctx.srcIp,
      srcPort: ctx.srcPort,
      dstIp: ctx.dstIp,
      dstPort: ctx.dstPort,
      transport: ctx.transport,
      flavor: ctx.flavor,
      id,
      response,
      opcode,
      rcode,
      qname: qnames.length === 0 ? '' : qnames[i],
      qtype: qnames.length === 0 ? 0 : qtypes[i],
      answers: i === 0 ? answers : NO_ANSWERS,
    };
    sink.dns(rec);
  }

  if (ctx.flavor === 'mdns' && response && answers.length > 0) emitMdnsNames(answers, ctx, sink);
}

function endsWithLocal(name: string): boolean {
  const n = name.length;
  if (n < 7) return false;
  return name.slice(n - 6).toLowerCase() === '.local';
}

function emitMdnsNames(answers: DnsAnswer[], ctx: DnsContext, sink: RecordSink): void {
  for (const a of answers) {
    if ((a.type !== TYPE_A && a.type !== TYPE_AAAA) || !endsWithLocal(a.name)) continue;
    if (ctx.seenNames !== null) {
      const key = `${a.name}|${a.data}`;
      if (ctx.seenNames.has(key)) continue;
      if (ctx.seenNames.size < SEEN_NAMES_MAX) ctx.seenNames.add(key);
    }
    sink.name({
      input: ctx.input,
      frame: ctx.frame,
      ts: ctx.ts,
      ip: a.data,
      // A sleep proxy may answer for another host: the MAC belongs to the name only
      // when the sender announces its own address.
      mac: a.data === ctx.senderIp ? ctx.senderMac : null,
      name: a.name,
      source: 'mdns',
    });
  }
}

function udpHandler(flavor: 'dns' | 'mdns') {
  // One context per handler, refilled for every datagram: the parser keeps none of it.
  const ctx: DnsContext = {
    input: 0, frame: 0, ts: 0n, transport: 'udp', flavor, srcIp: '', srcPort: 0, dstIp: '', dstPort: 0,
    senderIp: '', senderMac: null, seenNames: null,
  };
  return (payload: Buffer, pkt: PacketInfo, conv: ConversationState, sink: RecordSink): void => {
    let seen: Set<string> | null = null;
    if (flavor === 'mdns') {
      if (!(conv.data instanceof Set)) conv.data = new Set<string>();
      seen = conv.data as Set<string>;
    }
    ctx.input = pkt.input;
    ctx.frame = pkt.frame;
    ctx.ts = toNs(pkt.tsSec, pkt.tsNsec);
    ctx.srcIp = conv.clientIp;
    ctx.srcPort = conv.clientPort;
    ctx.dstIp = conv.serverIp;
    ctx.dstPort = conv.serverPort;
    ctx.senderIp = pkt.srcIp;
    ctx.senderMac = pkt.srcMac;
    ctx.seenNames = seen;
    emitDnsMessage(payload, ctx, sink);
  };
}

/** DNS over UDP port 53. */
export const dnsUdpProtocol: UdpProtocol = { name: 'dns', udpPorts: [53], datagram: udpHandler('dns') };
/** Multicast DNS (flavor 'mdns'). */
export const mdnsProtocol: UdpProtocol = { name: 'mdns', udpPorts: [5353], datagram: udpHandler('mdns') };
/** LLMNR shares the DNS message format (flavor 'dns'). */
export const llmnrProtocol: UdpProtocol = { name: 'llmnr', udpPorts: [5355], datagram: udpHandler('dns') };

registerUdpProtocol(dnsUdpProtocol);
registerUdpProtocol(mdnsProtocol);
registerUdpProtocol(llmnrProtocol);

/** Per-direction state of a DNS/TCP stream. */
interface TcpDir {
  /** Copy of bytes of an incomplete message (length prefix included). */
  pending: Buffer | null;
  frame: number;
  tsSec: number;
  tsNsec: number;
  /** After a gap, true until a chunk starts with a plausible message. */
  lost: boolean;
}

/**
 * Whether `b` starts with a length prefix and a header that look like DNS: used to
 * find a message boundary after a capture gap.
 */
function plausibleStart(b: Buffer): boolean {
  if (b.length < 2 + HEADER_LEN) return false;
  const len = b.readUInt16BE(0);
  if (len < HEADER_LEN) return false;
  const opcode = (b[4] >> 3) & 0x0f;
  const qd = b.readUInt16BE(6);
  return opcode <= 6 && qd >= 1 && qd <= 4 && (b[5] & 0x40) === 0;
}

class DnsTcpHandler implements TcpStreamHandler {
  private readonly conv: TcpConversation;
  private readonly sink: RecordSink;
  private readonly dirs: [TcpDir, TcpDir];

  constructor(conv: TcpConversation, sink: RecordSink) {
    this.conv = conv;
    this.sink = sink;
    this.dirs = [
      { pending: null, frame: 0, tsSec: 0, tsNsec: 0, lost: false },
      { pending: null, frame: 0, tsSec: 0, tsNsec: 0, lost: false },
    ];
  }

  data(dir: StreamDir, bytes: Buffer, meta: StreamChunkMeta): void {
    const st = this.dirs[dir];
    if (meta.gapBefore > 0) {
      cappedAnomaly(this.sink, this.conv.input, meta.frame, 'dns',
        `${meta.gapBefore} bytes missing in a DNS/TCP stream${st.pending ? '; dropped a partial message' : ''}`);
      st.pending = null;
      st.lost = true;
    }
    if (st.lost) {
      if (!plausibleStart(bytes)) return;
      st.lost = false;
    }
    const pendingLen = st.pending === null ? 0 : st.pending.length;
    const buf = st.pending === null ? bytes : Buffer.concat([st.pending, bytes]);
    let pos = 0;
    while (buf.length - pos >= 2) {
      const len = buf.readUInt16BE(pos);
      if (buf.length - pos - 2 < len) break;
      const inPending = pos < pendingLen;
      this.message(buf.subarray(pos + 2, pos + 2 + len), dir,
        inPending ? st.frame : meta.frame,
        inPending ? st.tsSec : meta.tsSec,
        inPending ? st.tsNsec : meta.tsNsec);
      pos += 2 + len;
    }
    if (pos < buf.length) {
      if (pos >= pendingLen) {
        st.frame = meta.frame;
        st.tsSec = meta.tsSec;
        st.tsNsec = meta.tsNsec;
      }
      st.pending = Buffer.from(buf.subarray(pos));
    } else {
      st.pending = null;
    }
  }

  private message(msg: Buffer, dir: StreamDir, frame: number, tsSec: number, tsNsec: number): void {
    const c = this.conv;
    emitDnsMessage(msg, {
      input: c.input,
      frame,
      ts: toNs(tsSec, tsNsec),
      transport: 'tcp',
      flavor: 'dns',
      srcIp: c.clientIp,
      srcPort: c.clientPort,
      dstIp: c.serverIp,
      dstPort: c.serverPort,
      senderIp: dir === 0 ? c.clientIp : c.serverIp,
      senderMac: dir === 0 ? c.clientMac : c.serverMac,
      seenNames: null,
    }, this.sink);
  }

  end(): void {
    for (const st of this.dirs) {
      if (st.pending !== null && st.pending.length > 0) {
        cappedAnomaly(this.sink, this.conv.input, st.frame, 'dns',
          `DNS/TCP stream ended inside a message (${st.pending.length} bytes of it seen)`);
      }
      st.pending = null;
    }
  }
}

/** DNS over TCP: 2-byte length-prefixed messages. */
export const dnsTcpProtocol: TcpProtocol = {
  name: 'dns',
  tcpPorts: [53],
  open: (conv, sink) => new DnsTcpHandler(conv, sink),
};

registerTcpProtocol(dnsTcpProtocol);
