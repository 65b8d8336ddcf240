/**
 * DHCP (BOOTP, UDP 67/68; RFC 2131/2132). Emits a NameRecord (source 'dhcp') for each
 * message that names a client: mac = chaddr, ip = yiaddr, else ciaddr, else the
 * requested address (option 50), name = host name (12) or client FQDN (81), vendor
 * class (60). A server ACK without a host name borrows the name the client sent under
 * the same transaction id, so the name gets the leased address. A message with a
 * vendor class but no name gives a record with name ''.
 */
import type { RecordSink } from '../records.ts';
import { toNs } from '../util/time.ts';
import { cappedAnomaly } from './anomaly-cap.ts';
import { ipv4Text, labelText } from './dns-wire.ts';
import { registerUdpProtocol, type ConversationState, type PacketInfo, type UdpProtocol } from './types.ts';

const BOOTP_FIXED = 236;
const MAGIC = 0x63825363;
const OPT_PAD = 0;
const OPT_END = 255;
const OPT_REQUESTED_IP = 50;
const OPT_OVERLOAD = 52;
const OPT_MSG_TYPE = 53;
const OPT_HOST_NAME = 12;
const OPT_VENDOR_CLASS = 60;
const OPT_CLIENT_ID = 61;
const OPT_CLIENT_FQDN = 81;

const SNAME_OFF = 44;
const SNAME_LEN = 64;
const FILE_OFF = 108;
const FILE_LEN = 128;

/** Options decoded from one message. */
interface DhcpOptions {
  msgType: number;
  hostName: string | null;
  fqdn: string | null;
  vendorClass: string | null;
  clientId: string | null;
  requestedIp: string | null;
  overload: number;
}

/** Names clients announced, by input/xid/mac, so that the server's ACK can be named. */
const pendingNames = new Map<string, { name: string; vendorClass: string | null }>();
const PENDING_MAX = 1024;

function printable(b: Buffer, start: number, end: number): string {
  // Host names are often NUL-terminated by sloppy clients.
  let e = end;
  while (e > start && b[e - 1] === 0) e--;
  return b.toString('utf8', start, e);
}

/** RFC 4702 client FQDN: flags, two obsolete rcodes, then ASCII or wire-format name. */
function readFqdn(b: Buffer, start: number, end: number): string | null {
  if (end - start < 3) return null;
  const flags = b[start];
  const p = start + 3;
  if ((flags & 0x04) === 0) return end > p ? printable(b, p, end) : null;
  let name = '';
  let pos = p;
  while (pos < end) {
    const l = b[pos];
    if (l === 0 || (l & 0xc0) !== 0 || pos + 1 + l > end) break;
    const label = labelText(b, pos + 1, pos + 1 + l);
    name = name.length === 0 ? label : `${name}.${label}`;
    pos += 1 + l;
  }
  return name.length > 0 ? name : null;
}

function macText(b: Buffer, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const h = b[off + i].toString(16).padStart(2, '0');
    s = i === 0 ? h : `${s}:${h}`;
  }
  return s;
}

/**
 * Walk the options in [start, end). Returns an error text for the first malformed
 * option, or null; options before the problem are kept in `o`.
 */
function readOptions(b: Buffer, start: number, end: number, o: DhcpOptions, where: string): string | null {
  let pos = start;
  while (pos < end) {
    const code = b[pos];
    if (code === OPT_PAD) {
      pos++;
      continue;
    }
    if (code === OPT_END) return null;
    if (pos + 1 >= end) return `${where}: option ${code} has no length byte`;
    const len = b[pos + 1];
    const v = pos + 2;
    const ve = v + len;
    if (ve > end) return `${where}: option ${code} of ${len} bytes runs past the end`;
    switch (code) {
      case OPT_MSG_TYPE:
        if (len !== 1) return `${where}: option 53 (message type) has length ${len}`;
        o.msgType = b[v];
        break;
      case OPT_HOST_NAME:
        if (len === 0) return `${where}: option 12 (host name) is empty`;
        o.hostName = printable(b, v, ve);
        break;
      case OPT_VENDOR_CLASS:
        if (len === 0) return `${where}: option 60 (vendor class) is empty`;
        o.vendorClass = printable(b, v, ve);
        break;
      case OPT_CLIENT_ID:
        if (len < 2) return `${where}: option 61 (client id) is shorter than 2 bytes`;
        o.clientId = b[v] === 1 && len === 7 ? macText(b, v + 1, 6) : b.toString('hex', v, ve);
        break;
      case OPT_REQUESTED_IP:
        if (len !== 4) return `${where}: option 50 (requested IP) has length ${len}`;
        o.requestedIp = ipv4Text(b, v);
        break;
      case OPT_CLIENT_FQDN:
        o.fqdn = readFqdn(b, v, ve);
        if (o.fqdn === null && len > 3) return `${where}: option 81 (client FQDN) is malformed`;
        break;
      case OPT_OVERLOAD:
        if (len !== 1) return `${where}: option 52 (overload) has length ${len}`;
        o.overload = b[v];
        break;
      default:
        break;
    }
    pos = ve;
  }
  return where === 'options' ? 'options end without an END (255) option' : null;
}

function isZeroIp(b: Buffer, off: number): boolean {
  return b[off] === 0 && b[off + 1] === 0 && b[off + 2] === 0 && b[off + 3] === 0;
}

function fail(sink: RecordSink, pkt: PacketInfo, error: string): void {
  cappedAnomaly(sink, pkt.input, pkt.frame, 'dhcp', error);
}

/** Decode one DHCP/BOOTP datagram and emit a NameRecord when it names a client; never throws. */
export function handleDhcp(payload: Buffer, pkt: PacketInfo, sink: RecordSink): void {
  try {
    if (payload.length < BOOTP_FIXED) {
      fail(sink, pkt, `BOOTP message of ${payload.length} bytes is shorter than its ${BOOTP_FIXED}-byte fixed part`);
      return;
    }
    const op = payload[0];
    const htype = payload[1];
    const hlen = payload[2];
    const xid = payload.readUInt32BE(4);
    if (op !== 1 && op !== 2) fail(sink, pkt, `BOOTP op ${op} is neither request (1) nor reply (2)`);
    const chaddr = (htype === 1 && hlen === 6) ? macText(payload, 28, 6) : (hlen > 0 && hlen <= 16 ? macText(payload, 28, hlen) : null);
    const o: DhcpOptions = {
      msgType: 0, hostName: null, fqdn: null, vendorClass: null, clientId: null, requestedIp: null, overload: 0,
    };
    if (payload.length < BOOTP_FIXED + 4 || payload.readUInt32BE(BOOTP_FIXED) !== MAGIC) {
      // Plain BOOTP (RFC 951): legal, and nothing in it names the client.
      return;
    }
    const err = readOptions(payload, BOOTP_FIXED + 4, payload.length, o, 'options');
    if (err !== null) fail(sink, pkt, err);
    if (o.overload & 1) {
      const e = readOptions(payload, FILE_OFF, FILE_OFF + FILE_LEN, o, 'file field options');
      if (e !== null) fail(sink, pkt, e);
    }
    if (o.overload & 2) {
      const e = readOptions(payload, SNAME_OFF, SNAME_OFF + SNAME_LEN, o, 'sname field options');
      if (e !== null) fail(sink, pkt, e);
    }

    const ip = !isZeroIp(payload, 16) ? ipv4Text(payload, 16)
      : !isZeroIp(payload, 12) ? ipv4Text(payload, 12)
        : o.requestedIp;
    let mac = chaddr;
    if ((mac === null || mac === '00:00:00:00:00:00') && o.clientId !== null && o.clientId.length === 17) mac = o.clientId;
    let name = o.hostName ?? o.fqdn;
    let vendorClass = o.vendorClass;
    const key = `${pkt.input}|${xid}|${mac ?? ''}`;
    if (op === 1 && name !== null) {
      if (pendingNames.size >= PENDING_MAX) pendingNames.clear();
      pendingNames.set(key, { name, vendorClass });
    } else if (op === 2 && name === null) {
      const known = pendingNames.get(key);
      // Only the final ACK binds the address; an OFFER is a proposal.
      if (known !== undefined && o.msgType === 5) {
        name = known.name;
        vendorClass = vendorClass ?? known.vendorClass;
        pendingNames.delete(key);
      }
    }
    if (name === null && vendorClass === null) return;
    sink.name({
      input: pkt.input,
      frame: pkt.frame,
      ts: toNs(pkt.tsSec, pkt.tsNsec),
      ip,
      mac,
      name: name ?? '',
      source: 'dhcp',
      vendorClass,
    });
  } catch (e) {
    fail(sink, pkt, `unexpected DHCP parser failure: ${(e as Error).message}`);
  }
}

/** DHCP/BOOTP on UDP 67 and 68. */
export const dhcpProtocol: UdpProtocol = {
  name: 'dhcp',
  udpPorts: [67, 68],
  datagram(payload: Buffer, pkt: PacketInfo, _conv: ConversationState, sink: RecordSink): void {
    handleDhcp(payload, pkt, sink);
  },
};

registerUdpProtocol(dhcpProtocol);
