/** IPv4 header parsing (RFC 791) into a reused struct; no allocation. */
import { readIpv4 } from './addr.ts';

export interface Ipv4Header {
  headerLen: number;
  /** Total length from the header (0 replaced by the captured length, as TSO captures have it). */
  totalLen: number;
  id: number;
  /** Fragment offset in bytes. */
  fragOffset: number;
  more: boolean;
  proto: number;
  src: number;
  dst: number;
  error: string;
}

/** Parse the IPv4 header at `off` with `avail` captured bytes; returns false with `h.error` set when unusable. */
export function parseIpv4(d: Buffer, off: number, avail: number, h: Ipv4Header): boolean {
  if (avail < 20) { h.error = `truncated IPv4 header (${avail} bytes)`; return false; }
  const b0 = d[off];
  if (b0 >> 4 !== 4) { h.error = `IP version ${b0 >> 4} in an IPv4 packet`; return false; }
  const hl = (b0 & 15) * 4;
  if (hl < 20) { h.error = `IPv4 header length ${hl} < 20`; return false; }
  if (hl > avail) { h.error = `IPv4 header length ${hl} exceeds the ${avail} captured bytes`; return false; }
  let total = (d[off + 2] << 8) | d[off + 3];
  if (total === 0) total = avail;
  if (total < hl) { h.error = `IPv4 total length ${total} < header length ${hl}`; return false; }
  const ff = (d[off + 6] << 8) | d[off + 7];
  h.headerLen = hl;
  h.totalLen = total;
  h.id = (d[off + 4] << 8) | d[off + 5];
  h.fragOffset = (ff & 0x1fff) * 8;
  h.more = (ff & 0x2000) !== 0;
  h.proto = d[off + 9];
  h.src = readIpv4(d, off + 12);
  h.dst = readIpv4(d, off + 16);
  return true;
}
