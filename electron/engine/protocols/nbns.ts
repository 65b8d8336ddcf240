/**
 * NetBIOS Name Service (UDP 137; RFC 1002). Names are first-level encoded: 32 letters
 * 'A'..'P', two per byte, giving 15 name bytes (space padded) and a suffix byte.
 * Emits a NameRecord (source 'nbns') for unique (non-group) names with suffix 0x00
 * (workstation) or 0x20 (file server) when an address is bound to them: registrations
 * and refreshes (address from the NB record, else the sender), positive query
 * responses (addresses from the answer), and node status responses (sender address,
 * MAC from the unit id). Queries and releases name nobody.
 */
import type { RecordSink } from '../records.ts';
import { toNs } from '../util/time.ts';
import { cappedAnomaly } from './anomaly-cap.ts';
import { ipv4Text, nameResult, readName } from './dns-wire.ts';
import { registerUdpProtocol, type ConversationState, type PacketInfo, type UdpProtocol } from './types.ts';

const HEADER_LEN = 12;
const TYPE_NB = 0x20;
const TYPE_NBSTAT = 0x21;
const OPCODE_QUERY = 0;
const OPCODE_REGISTRATION = 5;
const OPCODE_REFRESH = 8;
const OPCODE_REFRESH_ALT = 9;
const OPCODE_MULTIHOMED = 15;
const SEEN_MAX = 512;

/** A decoded NetBIOS name: 15-byte name without padding, and its suffix byte. */
export interface NetbiosName {
  name: string;
  suffix: number;
}

/**
 * Decode the first label of a first-level encoded name ("FHEPFCELEHFCEPFFFACACACACACACAAA"
 * → WORKGROUP<00>); null when the label is not 32 letters 'A'..'P'.
 */
export function decodeNetbiosName(encoded: string): NetbiosName | null {
  const dot = encoded.indexOf('.');
  const label = dot < 0 ? encoded : encoded.slice(0, dot);
  if (label.length !== 32) return null;
  const bytes = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) {
    const hi = label.charCodeAt(2 * i) - 0x41;
    const lo = label.charCodeAt(2 * i + 1) - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return null;
    bytes[i] = (hi << 4) | lo;
  }
  let end = 15;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
  return { name: bytes.toString('latin1', 0, end), suffix: bytes[15] };
}

/** Display form used in anomalies: NAME<xx>. */
export function netbiosNameText(n: NetbiosName): string {
  return `${n.name}<${n.suffix.toString(16).padStart(2, '0')}>`;
}

function isHostSuffix(suffix: number): boolean {
  return suffix === 0x00 || suffix === 0x20;
}

function emit(sink: RecordSink, pkt: PacketInfo, conv: ConversationState, name: string, ip: string, mac: string | null): void {
  if (!(conv.data instanceof Set)) conv.data = new Set<string>();
  const seen = conv.data as Set<string>;
  const key = `${name}|${ip}|${mac ?? ''}`;
  if (seen.has(key)) return;
  if (seen.size < SEEN_MAX) seen.add(key);
  sink.name({ input: pkt.input, frame: pkt.frame, ts: toNs(pkt.tsSec, pkt.tsNsec), ip, mac, name, source: 'nbns' });
}

function anomaly(sink: RecordSink, pkt: PacketInfo, error: string): void {
  cappedAnomaly(sink, pkt.input, pkt.frame, 'nbns', error);
}

/** Decode one NBNS datagram and emit NameRecords for names bound to addresses; never throws. */
export function handleNbns(payload: Buffer, pkt: PacketInfo, conv: ConversationState, sink: RecordSink): void {
  try {
    parse(payload, pkt, conv, sink);
  } catch (e) {
    anomaly(sink, pkt, `unexpected NBNS parser failure: ${(e as Error).message}`);
  }
}

function parse(msg: Buffer, pkt: PacketInfo, conv: ConversationState, sink: RecordSink): void {
  if (msg.length < HEADER_LEN) {
    anomaly(sink, pkt, `NBNS message of ${msg.length} bytes is shorter than its 12-byte header`);
    return;
  }
  const flags = msg.readUInt16BE(2);
  const response = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0x0f;
  const rcode = flags & 0x0f;
  const qdcount = msg.readUInt16BE(4);
  const rrcount = msg.readUInt16BE(6) + msg.readUInt16BE(8) + msg.readUInt16BE(10);

  let pos = HEADER_LEN;
  for (let i = 0; i < qdcount; i++) {
    const q = readName(msg, pos);
    if (nameResult.error !== null) {
      anomaly(sink, pkt, `question ${i + 1}: ${nameResult.error}`);
      return;
    }
    if (decodeNetbiosName(q) === null) anomaly(sink, pkt, `question ${i + 1}: '${q}' is not a first-level encoded NetBIOS name`);
    pos = nameResult.end + 4;
    if (pos > msg.length) {
      anomaly(sink, pkt, `question ${i + 1} is cut before its type and class`);
      return;
    }
  }

  const registers = opcode === OPCODE_REGISTRATION || opcode === OPCODE_REFRESH
    || opcode === OPCODE_REFRESH_ALT || opcode === OPCODE_MULTIHOMED;
  const positiveAnswer = response && opcode === OPCODE_QUERY && rcode === 0;
  // Registration responses echo the request; only the requester's message counts.
  const binds = (registers && !response) || positiveAnswer;

  for (let i = 0; i < rrcount; i++) {
    const encoded = readName(msg, pos);
    if (nameResult.error !== null) {
      anomaly(sink, pkt, `resource record ${i + 1}: ${nameResult.error}`);
      return;
    }
    pos = nameResult.end;
    if (pos + 10 > msg.length) {
      anomaly(sink, pkt, `resource record ${i + 1} is cut inside its fixed fields`);
      return;
    }
    const type = msg.readUInt16BE(pos);
    const rdlen = msg.readUInt16BE(pos + 8);
    const rd = pos + 10;
    const rdEnd = rd + rdlen;
    if (rdEnd > msg.length) {
      anomaly(sink, pkt, `resource record ${i + 1} has RDATA of ${rdlen} bytes past the end of the message`);
      return;
    }
    pos = rdEnd;
    const nb = decodeNetbiosName(encoded);
    if (nb === null) {
      anomaly(sink, pkt, `resource record ${i + 1}: '${encoded}' is not a first-level encoded NetBIOS name`);
      continue;
    }
    if (type === TYPE_NB && binds) {
      if (rdlen % 6 !== 0) anomaly(sink, pkt, `NB record of ${netbiosNameText(nb)} has RDATA length ${rdlen}, not a multiple of 6`);
      if (!isHostSuffix(nb.suffix)) continue;
      let any = false;
      for (let p = rd; p + 6 <= rdEnd; p += 6) {
        any = true;
        const group = (msg[p] & 0x80) !== 0;
        if (group) continue;
        const ip = ipv4Text(msg, p + 2);
        emit(sink, pkt, conv, nb.name, ip === '0.0.0.0' ? pkt.srcIp : ip, null);
      }
      if (!any && registers && !response) emit(sink, pkt, conv, nb.name, pkt.srcIp, null);
    } else if (type === TYPE_NBSTAT && response && rcode === 0) {
      nodeStatus(msg, rd, rdEnd, pkt, conv, sink);
    }
  }
}

/** Node status response: a name table followed by statistics whose first 6 bytes are the MAC. */
function nodeStatus(msg: Buffer, rd: number, rdEnd: number, pkt: PacketInfo, conv: ConversationState, sink: RecordSink): void {
  if (rd >= rdEnd) return;
  const count = msg[rd];
  const tableEnd = rd + 1 + count * 18;
  if (tableEnd > rdEnd) {
    anomaly(sink, pkt, `node status name table of ${count} names runs past its RDATA`);
    return;
  }
  let mac: string | null = null;
  if (tableEnd + 6 <= rdEnd) {
    const m = msg.subarray(tableEnd, tableEnd + 6);
    if (m.some((x) => x !== 0)) mac = Array.from(m, (x) => x.toString(16).padStart(2, '0')).join(':');
  }
  for (let p = rd + 1; p < tableEnd; p += 18) {
    const suffix = msg[p + 15];
    const group = (msg[p + 16] & 0x80) !== 0;
    if (group || !isHostSuffix(suffix)) continue;
    let end = p + 15;
    while (end > p && (msg[end - 1] === 0x20 || msg[end - 1] === 0)) end--;
    emit(sink, pkt, conv, msg.toString('latin1', p, end), pkt.srcIp, mac);
  }
}

/** NetBIOS Name Service on UDP 137. */
export const nbnsProtocol: UdpProtocol = { name: 'nbns', udpPorts: [137], datagram: handleNbns };

registerUdpProtocol(nbnsProtocol);
