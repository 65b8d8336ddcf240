/** What the layer modules (fragments, TCP, UDP) need from the dissector that owns them. */
import type { RecordSink } from '../records.ts';

export interface DissectContext {
  readonly input: number;
  readonly sink: RecordSink;
  /**
   * Report an anomaly. `kind` is a constant text used to rate-limit floods of the
   * same problem; `detail` is appended for the record.
   */
  anomaly(frame: number | null, layer: string, kind: string, detail?: string): void;
}

/** Packet facts the transport layers read; one object reused for every packet. */
export interface IpPacket {
  version: 4 | 6;
  /** Buffer holding the IP addresses (the frame, valid during the callback). */
  addrBuf: Buffer;
  srcOff: number;
  dstOff: number;
  /** IPv4 source/destination as unsigned numbers (IPv4 only). */
  src4: number;
  dst4: number;
  /** Set by FlowTable.find: the source endpoint sorts first in the flow key. */
  srcLow: boolean;
  /** Bytes of the captured frame(s) that carried this packet, for flow byte counts. */
  frameBytes: number;
  /** Frame data and the offsets of the link-layer MACs in it (-1 if none). */
  frameBuf: Buffer;
  macSrc: number;
  macDst: number;
  /** Frame number and capture time. */
  frame: number;
  tsSec: number;
  tsNsec: number;
}
