/**
 * TLS over TCP: reassembles the record layer of both directions just far enough to read
 * the ClientHello and the ServerHello, then stops (application data is never buffered).
 * One TlsRecord per connection, stamped with the frame of the ClientHello's first byte.
 */
import type { RecordSink, TlsRecord } from '../records.ts';
import { toNs } from '../util/time.ts';
import { cappedAnomaly } from './anomaly-cap.ts';
import {
  HS_CLIENT_HELLO, HS_SERVER_HELLO, handshakeMessageSize, offeredVersions, parseClientHello, parseServerHello,
  type ClientHello, type ServerHello,
} from './tls-hello.ts';
import { ja4 } from './tls-ja4.ts';
import {
  registerTcpProtocol, type StreamChunkMeta, type StreamDir, type TcpConversation, type TcpProtocol,
  type TcpStreamHandler,
} from './types.ts';

const REC_CHANGE_CIPHER_SPEC = 20;
const REC_ALERT = 21;
const REC_HANDSHAKE = 22;
const REC_APPLICATION_DATA = 23;
/** TLS 1.2 allows ciphertext of 2^14 + 2048; anything larger is not a TLS record. */
const MAX_RECORD = 16384 + 2048;
/** A hello beyond this (128 KiB) is hostile or not TLS; 16 MiB is the protocol limit. */
const MAX_HANDSHAKE_MESSAGE = 128 * 1024;
/** Plaintext skipped while waiting for TLS to start (STARTTLS dialogues are a few hundred bytes). */
const MAX_PREAMBLE = 64 * 1024;

function plausibleRecordHeader(b: Buffer, off: number): boolean {
  const type = b[off];
  if (type < REC_CHANGE_CIPHER_SPEC || type > REC_APPLICATION_DATA) return false;
  if (b[off + 1] !== 3 || b[off + 2] > 4) return false;
  const len = (b[off + 3] << 8) | b[off + 4];
  return len > 0 && len <= MAX_RECORD;
}

/** SSL 2.0 record header (2-byte length with the top bit set) carrying CLIENT-HELLO with version 2.0 or 3.x. */
function isSslv2ClientHello(h: Buffer): boolean {
  return (h[0] & 0x80) !== 0 && h[2] === 1 && (h[3] === 0 || h[3] === 3);
}

/** Strict content test: a handshake record whose first message is ClientHello (dir 0) or ServerHello (dir 1). */
export function looksLikeTlsHello(first: Buffer, dir: StreamDir): boolean {
  if (first.length < 6) return false;
  if (first[0] !== REC_HANDSHAKE || first[1] !== 3 || first[2] > 4) return false;
  const len = (first[3] << 8) | first[4];
  if (len < 4 || len > MAX_RECORD) return false;
  if (first[5] !== (dir === 0 ? HS_CLIENT_HELLO : HS_SERVER_HELLO)) return false;
  if (first.length >= 9) {
    // A hello body is at least version + random + three length bytes (38), and no hello is megabytes long.
    const hsLen = (first[6] << 16) | (first[7] << 8) | first[8];
    if (hsLen < 38 || hsLen > MAX_HANDSHAKE_MESSAGE) return false;
  }
  if (first.length >= 11 && first[9] !== 3) return false;
  return true;
}

/** Record-layer state of one direction. */
class Direction {
  /** Handshake message type this direction waits for. */
  readonly want: number;
  /** True once the hello is read, or the direction was given up. */
  done = false;
  /** A valid record has been seen: before that, non-TLS bytes are a plaintext preamble (STARTTLS). */
  started = false;
  /** Plaintext bytes skipped before the first record. */
  preamble = 0;
  readonly header = Buffer.alloc(5);
  headerLen = 0;
  recType = 0;
  /** Body bytes of the current record not yet received. */
  recLeft = 0;
  /** Reassembled handshake bytes not yet consumed (only ever holds a partial message). */
  hs: Buffer | null = null;
  hsLen = 0;
  /** Meta of the chunk holding the first byte of the record header being read. */
  hdrFrame = 0;
  hdrTsSec = 0;
  hdrTsNsec = 0;
  /** Meta of the chunk holding the first byte of the first handshake record. */
  firstFrame = 0;
  firstTsSec = 0;
  firstTsNsec = 0;

  constructor(want: number) {
    this.want = want;
  }

  appendHs(bytes: Buffer, from: number, to: number): void {
    const n = to - from;
    const need = this.hsLen + n;
    if (this.hs === null || this.hs.length < need) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.hs === null ? 2048 : this.hs.length * 2));
      if (this.hs !== null) this.hs.copy(grown, 0, 0, this.hsLen);
      this.hs = grown;
    }
    bytes.copy(this.hs, this.hsLen, from, to);
    this.hsLen = need;
  }
}

class TlsHandler implements TcpStreamHandler {
  private readonly conv: TcpConversation;
  private readonly sink: RecordSink;
  private readonly dirs: [Direction, Direction] = [new Direction(HS_CLIENT_HELLO), new Direction(HS_SERVER_HELLO)];
  private client: ClientHello | null = null;
  private server: ServerHello | null = null;
  private serverFrame: number | null = null;
  private emitted = false;

  constructor(conv: TcpConversation, sink: RecordSink) {
    this.conv = conv;
    this.sink = sink;
  }

  /** Both hellos read (or given up on): later bytes are encrypted data this handler skips anyway. */
  get done(): boolean {
    return this.emitted || (this.dirs[0].done && this.dirs[1].done);
  }

  data(dir: StreamDir, bytes: Buffer, meta: StreamChunkMeta): void {
    const d = this.dirs[dir];
    if (d.done || this.emitted) return;
    if (meta.gapBefore > 0 && d.started) {
      const salvaged = dir === 0 && this.salvageClientHello();
      this.anomaly(meta.frame, `${meta.gapBefore} bytes missing in the ${dir === 0 ? 'client' : 'server'} TLS handshake; ` +
        (salvaged ? 'ClientHello read up to the gap' : 'hello not read'));
      this.giveUp(d);
      return;
    }
    if (meta.gapBefore > 0) d.headerLen = 0;
    let p = 0;
    const n = bytes.length;
    // Header bytes carried over from the previous chunk (a record header split across segments).
    let carried = d.headerLen;
    while (p < n && !d.done) {
      if (d.recLeft === 0) {
        // Gather the 5-byte record header, possibly across chunks; remember where it began.
        if (d.headerLen === 0) {
          d.hdrFrame = meta.frame;
          d.hdrTsSec = meta.tsSec;
          d.hdrTsNsec = meta.tsNsec;
        }
        while (d.headerLen < 5 && p < n) d.header[d.headerLen++] = bytes[p++];
        if (d.headerLen < 5) return;
        d.headerLen = 0;
        if (!plausibleRecordHeader(d.header, 0)) {
          if (!d.started && dir === 0 && carried === 0 && isSslv2ClientHello(d.header)) {
            this.anomaly(meta.frame, 'SSLv2-compatible ClientHello ignored');
            this.giveUp(d);
            return;
          }
          if (!d.started && carried > 0) {
            // The carried bytes were the tail of a short plaintext line: look at this chunk on its own.
            carried = 0;
            p = 0;
            continue;
          }
          if (!d.started) {
            // Plaintext before TLS (STARTTLS, banner): drop this chunk, but not forever.
            d.preamble += n;
            if (d.preamble > MAX_PREAMBLE) this.giveUp(d);
            return;
          }
          this.anomaly(meta.frame, `not a TLS record header (${d.header.toString('hex')})`);
          this.giveUp(d);
          return;
        }
        carried = 0;
        d.recType = d.header[0];
        d.recLeft = d.header.readUInt16BE(3);
        d.started = true;
        if (d.recType === REC_HANDSHAKE && d.firstFrame === 0) {
          d.firstFrame = d.hdrFrame;
          d.firstTsSec = d.hdrTsSec;
          d.firstTsNsec = d.hdrTsNsec;
        }
        if (d.recType === REC_APPLICATION_DATA || (d.recType === REC_ALERT && dir === 1 && this.server === null)) {
          // Encrypted data or a refusal: the hello we wait for will not come in the clear.
          this.giveUp(d);
          return;
        }
        continue;
      }
      const take = Math.min(d.recLeft, n - p);
      if (d.recType === REC_HANDSHAKE) this.handshakeBytes(d, dir, bytes, p, p + take, meta);
      p += take;
      d.recLeft -= take;
    }
  }

  /** Handshake fragment bytes[from..to) of direction `dir`: reassemble and parse complete messages. */
  private handshakeBytes(d: Direction, dir: StreamDir, bytes: Buffer, from: number, to: number, meta: StreamChunkMeta): void {
    let buf = bytes;
    let off = from;
    let end = to;
    if (d.hsLen > 0) {
      d.appendHs(bytes, from, to);
      buf = d.hs as Buffer;
      off = 0;
      end = d.hsLen;
    }
    // Usual case: a whole hello inside one chunk is parsed in place, without copying.
    while (!d.done) {
      const size = handshakeMessageSize(buf, off, end);
      if (size < 0 || off + size > end) {
        if (size > MAX_HANDSHAKE_MESSAGE + 4) {
          this.anomaly(meta.frame, `TLS handshake message of ${size - 4} bytes exceeds the ${MAX_HANDSHAKE_MESSAGE}-byte cap`);
          this.giveUp(d);
          return;
        }
        break;
      }
      const type = buf[off];
      if (type === d.want) {
        this.hello(dir, buf.subarray(off + 4, off + size), meta.frame);
        d.done = true;
      }
      off += size;
    }
    if (d.done) {
      d.hs = null;
      d.hsLen = 0;
      return;
    }
    // Keep only the unconsumed partial message.
    if (buf === d.hs) {
      if (off > 0) {
        d.hs.copy(d.hs, 0, off, end);
        d.hsLen = end - off;
      }
    } else if (off < end) {
      d.appendHs(buf, off, end);
    }
  }

  private hello(dir: StreamDir, body: Buffer, frame: number): void {
    if (dir === 0) {
      this.client = parseClientHello(body);
      if (this.client.error !== null) this.anomaly(this.dirs[0].firstFrame, `ClientHello: ${this.client.error}`);
      if (this.server !== null) this.emit();
    } else {
      this.server = parseServerHello(body);
      this.serverFrame = frame;
      if (this.server.error !== null) this.anomaly(frame, `ServerHello: ${this.server.error}`);
      if (this.client !== null) this.emit();
    }
  }

  private giveUp(d: Direction): void {
    d.done = true;
    d.hs = null;
    d.hsLen = 0;
  }

  /** Parse the partial ClientHello buffered so far (capture cut or gap): SNI often sits in its first bytes. */
  private salvageClientHello(): boolean {
    const c = this.dirs[0];
    if (this.client !== null || c.hs === null || c.hsLen < 4 || c.hs[0] !== HS_CLIENT_HELLO) return false;
    const size = handshakeMessageSize(c.hs, 0, c.hsLen);
    this.client = parseClientHello(c.hs.subarray(4, Math.min(size, c.hsLen)));
    this.anomaly(c.firstFrame, `ClientHello cut short (${c.hsLen - 4} of ${size - 4} bytes): ${this.client.error ?? 'incomplete'}`);
    return true;
  }

  end(): void {
    if (this.emitted) return;
    this.salvageClientHello();
    if (this.client !== null) this.emit();
    this.dirs[0].hs = null;
    this.dirs[1].hs = null;
  }

  private emit(): void {
    if (this.emitted || this.client === null) return;
    this.emitted = true;
    const c = this.client;
    const s = this.server;
    const first = this.dirs[0];
    const rec: TlsRecord = {
      input: this.conv.input,
      frame: first.firstFrame,
      ts: toNs(first.firstTsSec, first.firstTsNsec),
      srcIp: this.conv.clientIp,
      srcPort: this.conv.clientPort,
      dstIp: this.conv.serverIp,
      dstPort: this.conv.serverPort,
      transport: 'tcp',
      sni: c.sni,
      alpn: c.alpn,
      versions: offeredVersions(c),
      legacyVersion: c.legacyVersion,
      ciphers: c.ciphers,
      extensions: c.extensions,
      ja4: ja4(c, 't'),
      quicVersion: null,
      serverVersion: s === null ? null : (s.selectedVersion ?? s.legacyVersion),
      serverCipher: s === null ? null : s.cipher,
      serverFrame: s === null ? null : this.serverFrame,
    };
    this.sink.tls(rec);
  }

  private anomaly(frame: number, error: string): void {
    cappedAnomaly(this.sink, this.conv.input, frame, 'tls', error);
  }
}

/** The 'tls' TCP protocol: well-known TLS ports plus a strict hello heuristic for any port. */
export const tlsProtocol: TcpProtocol = {
  name: 'tls',
  tcpPorts: [443, 8443, 993, 995, 465, 636, 853, 5061, 6697],
  heuristic: looksLikeTlsHello,
  open(conv: TcpConversation, sink: RecordSink): TcpStreamHandler {
    return new TlsHandler(conv, sink);
  },
};

registerTcpProtocol(tlsProtocol);
