/**
 * TLS handshake messages shared by TLS over TCP and QUIC: framing of the handshake
 * message stream and tolerant parsers for ClientHello and ServerHello. Parsers take
 * the message body (after the 4-byte type + length header), never throw, and on a
 * short or malformed body return what they read plus an `error`.
 */

export const HS_CLIENT_HELLO = 1;
export const HS_SERVER_HELLO = 2;

export const EXT_SERVER_NAME = 0x0000;
export const EXT_SUPPORTED_GROUPS = 0x000a;
export const EXT_SIGNATURE_ALGORITHMS = 0x000d;
export const EXT_ALPN = 0x0010;
export const EXT_SUPPORTED_VERSIONS = 0x002b;

export interface ClientHello {
  /** legacy_version field of the ClientHello body. */
  legacyVersion: number;
  /** client_random (32 bytes, copied), or null if the body ended before it. */
  random: Buffer | null;
  /** Cipher suites in wire order, GREASE included. */
  ciphers: number[];
  /** Extension types in wire order, GREASE included. */
  extensions: number[];
  /** First host_name of server_name, or null. */
  sni: string | null;
  /** ALPN protocol names in order (UTF-8 decoded). */
  alpn: string[];
  /** Raw bytes of the first ALPN value (JA4 looks at its bytes, not its text); null if none. */
  alpnFirst: Buffer | null;
  /** supported_versions list in wire order, GREASE included; empty if the extension is absent. */
  supportedVersions: number[];
  signatureAlgorithms: number[];
  supportedGroups: number[];
  /** Why parsing stopped early, or null if the whole body was read. */
  error: string | null;
}

export interface ServerHello {
  legacyVersion: number;
  random: Buffer | null;
  cipher: number | null;
  extensions: number[];
  /** selected_version from supported_versions (TLS 1.3), or null. */
  selectedVersion: number | null;
  /** Protocol the server picked with ALPN (TLS ≤ 1.2 only: 1.3 moves it to EncryptedExtensions). */
  alpn: string | null;
  /** True when the random is the HelloRetryRequest marker (RFC 8446 §4.1.3). */
  helloRetryRequest: boolean;
  error: string | null;
}

/** True for the 16 GREASE values of RFC 8701 (0x0a0a, 0x1a1a, … 0xfafa). */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

/**
 * Size in bytes of the complete handshake message starting at `off` (4-byte header
 * included), or -1 if fewer than 4 header bytes are available. The message itself may
 * still be incomplete: compare with the bytes you have.
 */
export function handshakeMessageSize(buf: Buffer, off: number, end: number): number {
  if (end - off < 4) return -1;
  return 4 + ((buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]);
}

function emptyClientHello(): ClientHello {
  return {
    legacyVersion: 0, random: null, ciphers: [], extensions: [], sni: null, alpn: [], alpnFirst: null,
    supportedVersions: [], signatureAlgorithms: [], supportedGroups: [], error: null,
  };
}

/** Read a list of u16 values prefixed by a u16 byte length; returns false if it does not fit. */
function readU16List(b: Buffer, off: number, end: number, out: number[]): boolean {
  if (end - off < 2) return false;
  const len = b.readUInt16BE(off);
  const stop = off + 2 + len;
  if (stop > end) return false;
  for (let p = off + 2; p + 1 < stop; p += 2) out.push(b.readUInt16BE(p));
  return true;
}

function parseSni(b: Buffer, off: number, end: number): string | null {
  if (end - off < 2) return null;
  const stop = Math.min(end, off + 2 + b.readUInt16BE(off));
  let p = off + 2;
  while (p + 3 <= stop) {
    const type = b[p];
    const len = b.readUInt16BE(p + 1);
    p += 3;
    if (p + len > stop) return null;
    if (type === 0) return b.toString('utf8', p, p + len);
    p += len;
  }
  return null;
}

function parseAlpn(b: Buffer, off: number, end: number, hello: ClientHello): void {
  if (end - off < 2) return;
  const stop = Math.min(end, off + 2 + b.readUInt16BE(off));
  let p = off + 2;
  while (p < stop) {
    const len = b[p];
    p += 1;
    if (p + len > stop) return;
    if (hello.alpnFirst === null) hello.alpnFirst = Buffer.from(b.subarray(p, p + len));
    hello.alpn.push(b.toString('utf8', p, p + len));
    p += len;
  }
}

/**
 * Parse a ClientHello body (the handshake message without its 4-byte header).
 * Truncated or malformed input yields the fields read so far and an `error`.
 */
export function parseClientHello(body: Buffer): ClientHello {
  const h = emptyClientHello();
  const end = body.length;
  let p = 0;
  if (end < 2) { h.error = 'truncated before legacy_version'; return h; }
  h.legacyVersion = body.readUInt16BE(0);
  p = 2;
  if (end - p < 32) { h.error = 'truncated in random'; return h; }
  h.random = Buffer.from(body.subarray(p, p + 32));
  p += 32;
  if (end - p < 1) { h.error = 'truncated before session_id'; return h; }
  p += 1 + body[p];
  if (p > end) { h.error = 'truncated in session_id'; return h; }
  if (end - p < 2) { h.error = 'truncated before cipher_suites'; return h; }
  const cipherLen = body.readUInt16BE(p);
  p += 2;
  const cipherStop = p + cipherLen;
  for (; p + 1 < cipherStop && p + 1 < end; p += 2) h.ciphers.push(body.readUInt16BE(p));
  if (cipherStop > end) { h.error = 'truncated in cipher_suites'; return h; }
  if ((cipherLen & 1) !== 0) { h.error = 'odd cipher_suites length'; return h; }
  p = cipherStop;
  if (end - p < 1) { h.error = 'truncated before compression_methods'; return h; }
  p += 1 + body[p];
  if (p > end) { h.error = 'truncated in compression_methods'; return h; }
  // A hello without extensions is legal (SSL 3.0, old TLS clients).
  if (p === end) return h;
  if (end - p < 2) { h.error = 'truncated before extensions'; return h; }
  const extStop = p + 2 + body.readUInt16BE(p);
  p += 2;
  if (extStop > end) h.error = 'truncated in extensions';
  const stop = Math.min(extStop, end);
  while (p + 4 <= stop) {
    const type = body.readUInt16BE(p);
    const len = body.readUInt16BE(p + 2);
    p += 4;
    h.extensions.push(type);
    const dataEnd = p + len;
    if (dataEnd > stop) {
      h.error ??= `extension 0x${type.toString(16).padStart(4, '0')} overruns the hello`;
      return h;
    }
    switch (type) {
      case EXT_SERVER_NAME: h.sni = parseSni(body, p, dataEnd); break;
      case EXT_ALPN: parseAlpn(body, p, dataEnd, h); break;
      case EXT_SUPPORTED_GROUPS: readU16List(body, p, dataEnd, h.supportedGroups); break;
      case EXT_SIGNATURE_ALGORITHMS: readU16List(body, p, dataEnd, h.signatureAlgorithms); break;
      case EXT_SUPPORTED_VERSIONS:
        // Client form: a u8 byte length, then u16 versions.
        if (len >= 1) {
          const vStop = Math.min(dataEnd, p + 1 + body[p]);
          for (let q = p + 1; q + 1 < vStop; q += 2) h.supportedVersions.push(body.readUInt16BE(q));
        }
        break;
      default: break;
    }
    p = dataEnd;
  }
  if (h.error === null && p !== stop) h.error = 'trailing bytes in extensions';
  return h;
}

// SHA-256("HelloRetryRequest"), the fixed random that marks a HelloRetryRequest.
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/** Parse a ServerHello body (without the 4-byte header); tolerant like parseClientHello. */
export function parseServerHello(body: Buffer): ServerHello {
  const s: ServerHello = {
    legacyVersion: 0, random: null, cipher: null, extensions: [], selectedVersion: null, alpn: null,
    helloRetryRequest: false, error: null,
  };
  const end = body.length;
  if (end < 2) { s.error = 'truncated before legacy_version'; return s; }
  s.legacyVersion = body.readUInt16BE(0);
  let p = 2;
  if (end - p < 32) { s.error = 'truncated in random'; return s; }
  s.random = Buffer.from(body.subarray(p, p + 32));
  s.helloRetryRequest = s.random.equals(HRR_RANDOM);
  p += 32;
  if (end - p < 1) { s.error = 'truncated before session_id'; return s; }
  p += 1 + body[p];
  if (end - p < 2) { s.error = 'truncated before cipher_suite'; return s; }
  s.cipher = body.readUInt16BE(p);
  p += 2;
  if (end - p < 1) { s.error = 'truncated before compression_method'; return s; }
  p += 1;
  if (p === end) return s;
  if (end - p < 2) { s.error = 'truncated before extensions'; return s; }
  const extStop = p + 2 + body.readUInt16BE(p);
  p += 2;
  if (extStop > end) s.error = 'truncated in extensions';
  const stop = Math.min(extStop, end);
  while (p + 4 <= stop) {
    const type = body.readUInt16BE(p);
    const len = body.readUInt16BE(p + 2);
    p += 4;
    s.extensions.push(type);
    const dataEnd = p + len;
    if (dataEnd > stop) {
      s.error ??= `extension 0x${type.toString(16).padStart(4, '0')} overruns the hello`;
      return s;
    }
    if (type === EXT_SUPPORTED_VERSIONS && len >= 2) {
      s.selectedVersion = body.readUInt16BE(p);
    } else if (type === EXT_ALPN && len >= 3) {
      const nameLen = body[p + 2];
      if (p + 3 + nameLen <= dataEnd) s.alpn = body.toString('utf8', p + 3, p + 3 + nameLen);
    }
    p = dataEnd;
  }
  return s;
}

/** Versions a client offers: supported_versions without GREASE, or the legacy version when absent. */
export function offeredVersions(h: ClientHello): number[] {
  if (h.supportedVersions.length === 0) return [h.legacyVersion];
  const out: number[] = [];
  for (const v of h.supportedVersions) if (!isGrease(v)) out.push(v);
  return out;
}
