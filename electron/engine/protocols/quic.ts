/**
 * QUIC (v1, v2, draft-29..34): decrypts the client's and the server's Initial packets
 * with keys derived from the client's first Destination Connection ID, reassembles the
 * CRYPTO streams across packets and coalesced datagrams, and reads the ClientHello and
 * ServerHello inside. One TlsRecord (transport 'quic') per conversation.
 */
import type { RecordSink, TlsRecord } from '../records.ts';
import { toNs } from '../util/time.ts';
import { cappedAnomaly } from './anomaly-cap.ts';
import {
  deriveInitialKeys, openLongPacket, parseInitialFrames, parseLongHeader, quicVersionInfo,
  type CryptoFragment, type InitialKeys, type LongHeader, type QuicVersionInfo,
} from './quic-initial.ts';
import {
  HS_CLIENT_HELLO, HS_SERVER_HELLO, handshakeMessageSize, offeredVersions, parseClientHello, parseServerHello,
  type ClientHello, type ServerHello,
} from './tls-hello.ts';
import { ja4 } from './tls-ja4.ts';
import { registerUdpProtocol, type ConversationState, type PacketInfo, type UdpProtocol } from './types.ts';

/** CRYPTO bytes kept per direction: a hello is a few KiB; beyond this the peer is not a browser. */
const MAX_CRYPTO = 64 * 1024;
/** Out-of-order CRYPTO fragments kept while waiting for the bytes before them. */
const MAX_PENDING_FRAGMENTS = 64;
/** Initial packets read per direction before giving up on the hello. */
const MAX_INITIALS = 16;
/** Decryption failures reported per direction before giving up on it. */
const MAX_FAILURES = 3;
/** Datagrams after the ClientHello to wait for a ServerHello before recording without it. */
const MAX_WAIT_FOR_SERVER = 24;

/** One direction's Initial space: packet numbers and the CRYPTO stream. */
class Side {
  readonly want: number;
  largestPn = -1;
  keys: InitialKeys | null = null;
  keysVersion = -1;
  crypto: Buffer | null = null;
  /** Contiguous CRYPTO bytes from offset 0. */
  cryptoLen = 0;
  pending: CryptoFragment[] = [];
  packets = 0;
  failures = 0;
  done = false;
  /** Frame and time of the packet carrying CRYPTO offset 0. */
  frame = 0;
  tsSec = 0;
  tsNsec = 0;

  constructor(want: number) {
    this.want = want;
  }

  release(): void {
    this.crypto = null;
    this.pending = [];
    this.keys = null;
  }
}

class QuicState {
  readonly client = new Side(HS_CLIENT_HELLO);
  readonly server = new Side(HS_SERVER_HELLO);
  /** DCID of the client's first Initial (or of the Initial after a Retry): the key material. */
  keyDcid: Buffer | null = null;
  version = 0;
  hello: ClientHello | null = null;
  serverHello: ServerHello | null = null;
  serverFrame = 0;
  waited = 0;
  emitted = false;
  input = 0;
}

function keysFor(side: Side, info: QuicVersionInfo, dcid: Buffer, server: boolean): InitialKeys {
  if (side.keys === null || side.keysVersion !== info.version) {
    side.keys = deriveInitialKeys(info, dcid, server);
    side.keysVersion = info.version;
  }
  return side.keys;
}

/** Strict content test: a long-header Initial of a version we know, with sane lengths. */
export function looksLikeQuicInitial(payload: Buffer): boolean {
  if (payload.length < 21 || (payload[0] & 0xc0) !== 0xc0) return false;
  const info = quicVersionInfo(payload.readUInt32BE(1));
  if (info === null || ((payload[0] >> 4) & 3) !== info.initialType) return false;
  const hdr = parseLongHeader(payload, 0);
  return typeof hdr !== 'string' && hdr.dcid.length >= 8;
}

function anomaly(sink: RecordSink, pkt: PacketInfo, error: string): void {
  // Capped: a flood of broken datagrams on UDP 443 would otherwise write one row each.
  cappedAnomaly(sink, pkt.input, pkt.frame, 'quic', error);
}

function emit(st: QuicState, conv: ConversationState, sink: RecordSink): void {
  if (st.emitted || st.hello === null) return;
  st.emitted = true;
  // Nothing after the hellos is readable without keys: the UDP layer may stop calling.
  conv.done = true;
  const c = st.hello;
  const s = st.serverHello;
  const rec: TlsRecord = {
    input: st.input,
    frame: st.client.frame,
    ts: toNs(st.client.tsSec, st.client.tsNsec),
    srcIp: conv.clientIp,
    srcPort: conv.clientPort,
    dstIp: conv.serverIp,
    dstPort: conv.serverPort,
    transport: 'quic',
    sni: c.sni,
    alpn: c.alpn,
    versions: offeredVersions(c),
    legacyVersion: c.legacyVersion,
    ciphers: c.ciphers,
    extensions: c.extensions,
    ja4: ja4(c, 'q'),
    quicVersion: st.version,
    serverVersion: s === null ? null : (s.selectedVersion ?? s.legacyVersion),
    serverCipher: s === null ? null : s.cipher,
    serverFrame: s === null ? null : st.serverFrame,
  };
  sink.tls(rec);
  st.client.release();
  st.server.release();
}

/** Add one CRYPTO fragment to a side's stream; false if the side had to give up. */
function addCrypto(side: Side, frag: CryptoFragment, pkt: PacketInfo, sink: RecordSink): boolean {
  const end = frag.offset + frag.data.length;
  if (end > MAX_CRYPTO) {
    anomaly(sink, pkt, `QUIC CRYPTO data beyond ${MAX_CRYPTO} bytes without a complete hello`);
    return false;
  }
  if (frag.offset === 0 && side.frame === 0) {
    side.frame = pkt.frame;
    side.tsSec = pkt.tsSec;
    side.tsNsec = pkt.tsNsec;
  }
  if (end <= side.cryptoLen) return true;
  if (frag.offset > side.cryptoLen) {
    // Ahead of the contiguous prefix: keep a copy (the payload is a view) until the gap fills.
    if (side.pending.length >= MAX_PENDING_FRAGMENTS) {
      anomaly(sink, pkt, 'too many out-of-order QUIC CRYPTO fragments');
      return false;
    }
    side.pending.push({ offset: frag.offset, data: Buffer.from(frag.data) });
    return true;
  }
  if (side.crypto === null || side.crypto.length < end) {
    const grown = Buffer.allocUnsafe(Math.min(MAX_CRYPTO, Math.max(end, 4096, side.crypto === null ? 0 : side.crypto.length * 2)));
    if (side.crypto !== null) side.crypto.copy(grown, 0, 0, side.cryptoLen);
    side.crypto = grown;
  }
  frag.data.copy(side.crypto, side.cryptoLen, side.cryptoLen - frag.offset);
  side.cryptoLen = end;
  // Fragments that were waiting may now be contiguous.
  let progressed = true;
  while (progressed && side.pending.length > 0) {
    progressed = false;
    for (let i = 0; i < side.pending.length; i++) {
      const f = side.pending[i];
      if (f.offset <= side.cryptoLen) {
        side.pending.splice(i, 1);
        const fEnd = f.offset + f.data.length;
        if (fEnd > side.cryptoLen) {
          if (side.crypto.length < fEnd) {
            const grown = Buffer.allocUnsafe(Math.min(MAX_CRYPTO, Math.max(fEnd, side.crypto.length * 2)));
            side.crypto.copy(grown, 0, 0, side.cryptoLen);
            side.crypto = grown;
          }
          f.data.copy(side.crypto, side.cryptoLen, side.cryptoLen - f.offset);
          side.cryptoLen = fEnd;
        }
        progressed = true;
        break;
      }
    }
  }
  return true;
}

/** Parse the hello once the CRYPTO prefix holds all of it. */
function tryHello(st: QuicState, side: Side, fromClient: boolean, pkt: PacketInfo, sink: RecordSink): void {
  if (side.done || side.crypto === null || side.cryptoLen < 4) return;
  if (side.crypto[0] !== side.want) {
    anomaly(sink, pkt, `QUIC ${fromClient ? 'client' : 'server'} CRYPTO stream starts with handshake type ${side.crypto[0]}`);
    side.done = true;
    return;
  }
  const size = handshakeMessageSize(side.crypto, 0, side.cryptoLen);
  if (size > side.cryptoLen) return;
  const body = side.crypto.subarray(4, size);
  side.done = true;
  if (fromClient) {
    st.hello = parseClientHello(body);
    if (st.hello.error !== null) anomaly(sink, pkt, `QUIC ClientHello: ${st.hello.error}`);
  } else {
    st.serverHello = parseServerHello(body);
    st.serverFrame = pkt.frame;
    if (st.serverHello.error !== null) anomaly(sink, pkt, `QUIC ServerHello: ${st.serverHello.error}`);
  }
}

function initialPacket(
  st: QuicState, payload: Buffer, hdr: LongHeader, info: QuicVersionInfo,
  pkt: PacketInfo, conv: ConversationState, sink: RecordSink,
): void {
  const fromClient = conv.fromClient;
  const side = fromClient ? st.client : st.server;
  if (side.done) return;
  if (st.keyDcid === null) {
    if (!fromClient) return; // the client's first Initial was not captured: no keys
    st.keyDcid = Buffer.from(hdr.dcid);
    st.version = hdr.version;
  }
  let opened = openLongPacket(payload, hdr, keysFor(side, info, st.keyDcid, !fromClient), side.largestPn);
  if (typeof opened === 'string' && fromClient && hdr.dcid.length > 0 && !hdr.dcid.equals(st.keyDcid)) {
    // A Retry we did not see, or a capture that starts after the first Initial: the packet's own DCID may be the key.
    const retryKeys = deriveInitialKeys(info, hdr.dcid, false);
    const second = openLongPacket(payload, hdr, retryKeys, side.largestPn);
    if (typeof second !== 'string') {
      st.keyDcid = Buffer.from(hdr.dcid);
      st.server.keys = null;
      side.keys = retryKeys;
      side.keysVersion = info.version;
      opened = second;
    }
  }
  if (typeof opened === 'string') {
    side.failures++;
    anomaly(sink, pkt, `QUIC ${fromClient ? 'client' : 'server'} Initial: ${opened}`);
    if (side.failures >= MAX_FAILURES) side.done = true;
    return;
  }
  if (opened.packetNumber > side.largestPn) side.largestPn = opened.packetNumber;
  const frames = parseInitialFrames(opened.payload);
  if (frames.error !== null) anomaly(sink, pkt, `QUIC Initial frames: ${frames.error}`);
  for (const f of frames.crypto) {
    if (!addCrypto(side, f, pkt, sink)) {
      side.done = true;
      return;
    }
  }
  tryHello(st, side, fromClient, pkt, sink);
  side.packets++;
  if (!side.done && side.packets >= MAX_INITIALS) {
    anomaly(sink, pkt, `no complete QUIC ${fromClient ? 'ClientHello' : 'ServerHello'} in ${MAX_INITIALS} Initial packets`);
    side.done = true;
  }
}

function datagram(payload: Buffer, pkt: PacketInfo, conv: ConversationState, sink: RecordSink): void {
  let st = conv.data as QuicState | null | undefined;
  if (st === undefined || st === null) {
    st = new QuicState();
    st.input = pkt.input;
    conv.data = st;
  }
  if (st.emitted) return;
  if (st.hello !== null) st.waited++;
  const n = payload.length;
  let off = 0;
  // Coalesced packets (RFC 9000 §12.2): long headers one after another; a short header ends the datagram.
  while (off < n && (payload[off] & 0x80) !== 0) {
    if (n - off < 5) break;
    const version = payload.readUInt32BE(off + 1);
    const info = quicVersionInfo(version);
    if (info === null) break; // Version Negotiation, gQUIC, or a version we cannot open
    const hdr = parseLongHeader(payload, off);
    if (typeof hdr === 'string') {
      anomaly(sink, pkt, `QUIC: ${hdr}`);
      break;
    }
    if (hdr.typeBits === info.retryType) {
      // The client's next Initial uses the Retry's SCID as DCID, and Initial keys are re-derived from it.
      if (!conv.fromClient && !st.client.done && hdr.scid.length > 0) {
        st.keyDcid = Buffer.from(hdr.scid);
        st.client.keys = null;
        st.server.keys = null;
        st.client.largestPn = -1;
      }
      break;
    }
    if (hdr.typeBits === info.initialType) initialPacket(st, payload, hdr, info, pkt, conv, sink);
    off = hdr.end;
  }
  if (st.hello !== null && (st.server.done || st.waited > MAX_WAIT_FOR_SERVER)) emit(st, conv, sink);
}

/** The 'quic' UDP protocol: HTTP/3 and DNS-over-QUIC ports plus a strict Initial heuristic. */
export const quicProtocol: UdpProtocol = {
  name: 'quic',
  udpPorts: [443, 784, 853, 8853],
  heuristic: looksLikeQuicInitial,
  datagram(payload: Buffer, pkt: PacketInfo, conv: ConversationState, sink: RecordSink): void {
    try {
      datagram(payload, pkt, conv, sink);
    } catch (e) {
      // Last line of defence: per-packet code must never take the import down.
      anomaly(sink, pkt, `QUIC: internal error ${(e as Error).message}`);
    }
  },
  end(conv: ConversationState, sink: RecordSink): void {
    const st = conv.data as QuicState | null | undefined;
    if (st === undefined || st === null || st.emitted) return;
    const c = st.client;
    if (st.hello === null && c.crypto !== null && c.cryptoLen >= 4 && c.crypto[0] === HS_CLIENT_HELLO) {
      // The conversation ended inside the ClientHello: its first bytes (SNI, usually) are still evidence.
      const size = handshakeMessageSize(c.crypto, 0, c.cryptoLen);
      st.hello = parseClientHello(c.crypto.subarray(4, Math.min(size, c.cryptoLen)));
      cappedAnomaly(sink, st.input, c.frame, 'quic', `QUIC ClientHello cut short (${c.cryptoLen - 4} of ${size - 4} bytes)`);
    }
    emit(st, conv, sink);
  },
};

registerUdpProtocol(quicProtocol);
