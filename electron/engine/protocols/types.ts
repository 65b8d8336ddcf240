/**
 * The contract between the dissector (link/IP/TCP/UDP, reassembly) and application
 * protocol modules. Each protocol is one file that calls `registerProtocol` at import
 * time; `protocols/index.ts` imports them all.
 */
import type { RecordSink } from '../records.ts';

/**
 * What the dissector knows about the packet being handed to a protocol. The object
 * is reused between packets: copy fields you keep.
 */
export interface PacketInfo {
  input: number;
  frame: number;
  tsSec: number;
  tsNsec: number;
  ipVersion: 4 | 6;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** Source/destination MAC when the link layer has them (Ethernet, SLL source only). */
  srcMac: string | null;
  dstMac: string | null;
}

/** Per-conversation slot a protocol may use to keep state (e.g. QUIC CRYPTO reassembly). */
export interface ConversationState {
  /** Owned by the protocol that handles the conversation. */
  data: unknown;
  /** True if the packet goes from the conversation's initiator to the responder. */
  fromClient: boolean;
  /** Client (initiator) endpoint of the conversation. */
  clientIp: string;
  clientPort: number;
  serverIp: string;
  serverPort: number;
  /**
   * Set by the protocol once it needs no more datagrams of this conversation (a QUIC
   * hello already recorded): the conversation is still counted, `datagram` is no
   * longer called (`end` still is).
   */
  done?: boolean;
}

export interface UdpProtocol {
  name: string;
  /** Ports that select this protocol (either side). */
  udpPorts: number[];
  /** Optional content test for other ports; must be cheap and strict. */
  heuristic?(payload: Buffer, pkt: PacketInfo): boolean;
  /** Handle one datagram payload. Must never throw: report problems as anomalies. */
  datagram(payload: Buffer, pkt: PacketInfo, conv: ConversationState, sink: RecordSink): void;
  /**
   * Optional: the conversation ended (idle timeout or end of file). Flush records still
   * waiting for an answer (e.g. a QUIC ClientHello whose ServerHello never came). Must never throw.
   */
  end?(conv: ConversationState, sink: RecordSink): void;
}

/** Meta of a chunk of reassembled TCP bytes; one object the TCP layer reuses, so read it during the call only. */
export interface StreamChunkMeta {
  /** Frame that carried the first byte of this chunk. */
  frame: number;
  tsSec: number;
  tsNsec: number;
  /** Bytes missing in this direction just before this chunk (0 = contiguous). */
  gapBefore: number;
}

/** Direction of a stream chunk: 0 = client→server, 1 = server→client. */
export type StreamDir = 0 | 1;

export interface TcpConversation {
  input: number;
  clientIp: string;
  clientPort: number;
  serverIp: string;
  serverPort: number;
  clientMac: string | null;
  serverMac: string | null;
}

/** A protocol's handler for one TCP connection, fed ordered bytes per direction. */
export interface TcpStreamHandler {
  /** Ordered bytes of one direction. `bytes` may be a view: copy what you keep. */
  data(dir: StreamDir, bytes: Buffer, meta: StreamChunkMeta): void;
  /** The connection ended (FIN/RST, idle, end of file). Flush pending records. */
  end(): void;
  /**
   * Optional: true once the handler needs no more bytes (a TLS handshake already
   * read). The connection is still tracked and counted, gaps included, but its
   * payload is no longer copied or delivered; `end` is still called.
   */
  readonly done?: boolean;
}

export interface TcpProtocol {
  name: string;
  tcpPorts: number[];
  /**
   * Content test on the first bytes the client sent (dir 0) or, when the client
   * is silent, the server (dir 1). Must be strict: it wins over port bindings.
   */
  heuristic?(first: Buffer, dir: StreamDir): boolean;
  /** Create the handler for a new connection. */
  open(conv: TcpConversation, sink: RecordSink): TcpStreamHandler;
}

const tcpProtocols: TcpProtocol[] = [];
const udpProtocols: UdpProtocol[] = [];

export function registerTcpProtocol(p: TcpProtocol): void {
  if (!tcpProtocols.some((x) => x.name === p.name)) tcpProtocols.push(p);
}

export function registerUdpProtocol(p: UdpProtocol): void {
  if (!udpProtocols.some((x) => x.name === p.name)) udpProtocols.push(p);
}

export function getTcpProtocols(): readonly TcpProtocol[] {
  return tcpProtocols;
}

export function getUdpProtocols(): readonly UdpProtocol[] {
  return udpProtocols;
}
