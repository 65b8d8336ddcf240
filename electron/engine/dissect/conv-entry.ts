/**
 * What a TCP connection and a UDP conversation both keep for their flow record:
 * orientation, endpoint MACs, time span and per-direction counters, and the per-packet
 * bookkeeping of those. Index 0 of the per-direction pairs is the client→server side.
 */
import { macText } from './addr.ts';
import type { IpPacket } from './context.ts';
import { FlowEntry } from './flow-table.ts';

export class ConvEntry extends FlowEntry {
  /** Whether the endpoint that sorts first in the key is the client. */
  lowIsClient = true;
  clientMac: string | null = null;
  serverMac: string | null = null;
  firstFrame = 0;
  firstSec = 0;
  firstNsec = 0;
  /** Latest capture time seen (timestamps may run backwards in a file). */
  lastTsSec = 0;
  lastTsNsec = 0;
  packets0 = 0;
  packets1 = 0;
  bytes0 = 0;
  bytes1 = 0;
}

/** Start the time span of a new entry at the packet that created it. */
export function startConv(c: ConvEntry, ip: IpPacket): void {
  c.firstFrame = ip.frame;
  c.firstSec = ip.tsSec;
  c.firstNsec = ip.tsNsec;
  c.lastTsSec = ip.tsSec;
  c.lastTsNsec = ip.tsNsec;
}

/** Count one packet travelling in `dir`: time span, counters, and any endpoint MAC not yet known. */
export function countPacket(c: ConvEntry, ip: IpPacket, dir: 0 | 1): void {
  if (ip.tsSec > c.lastTsSec || (ip.tsSec === c.lastTsSec && ip.tsNsec > c.lastTsNsec)) {
    c.lastTsSec = ip.tsSec;
    c.lastTsNsec = ip.tsNsec;
  }
  if (dir === 0) { c.packets0++; c.bytes0 += ip.frameBytes; } else { c.packets1++; c.bytes1 += ip.frameBytes; }
  if ((c.clientMac === null || c.serverMac === null) && (ip.macSrc >= 0 || ip.macDst >= 0)) learnMacs(c, ip, dir);
}

function learnMacs(c: ConvEntry, ip: IpPacket, dir: 0 | 1): void {
  const b = ip.frameBuf;
  if (ip.macSrc >= 0) {
    if (dir === 0) { if (c.clientMac === null) c.clientMac = macText(b, ip.macSrc); } else if (c.serverMac === null) c.serverMac = macText(b, ip.macSrc);
  }
  if (ip.macDst >= 0) {
    if (dir === 0) { if (c.serverMac === null) c.serverMac = macText(b, ip.macDst); } else if (c.clientMac === null) c.clientMac = macText(b, ip.macDst);
  }
}
