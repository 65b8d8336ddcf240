/**
 * QUIC Initial packets: version table, Initial key derivation (RFC 9001 §5.2, RFC 9369
 * §3.3), header protection removal, packet number decoding, AES-128-GCM opening and
 * the frames an Initial may carry. Pure functions over Buffers; nothing here throws on
 * bad input: failures come back as `null` or an `error` string.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type Cipheriv, type KeyObject } from 'node:crypto';
import { HmacSha256Key } from './sha256.ts';

export interface QuicVersionInfo {
  version: number;
  salt: Buffer;
  /** HKDF labels for key, iv and header protection key. */
  keyLabel: string;
  ivLabel: string;
  hpLabel: string;
  /** Long-header packet type values (2 bits) of this version. */
  initialType: number;
  zeroRttType: number;
  handshakeType: number;
  retryType: number;
}

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;

const SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const SALT_V2 = Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex');
// draft-ietf-quic-tls-29 to -32; draft-33 and -34 already use the v1 salt.
const SALT_DRAFT_29 = Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex');

function v1Like(version: number, salt: Buffer): QuicVersionInfo {
  return {
    version, salt, keyLabel: 'quic key', ivLabel: 'quic iv', hpLabel: 'quic hp',
    initialType: 0, zeroRttType: 1, handshakeType: 2, retryType: 3,
  };
}

const INFO_V1 = v1Like(QUIC_V1, SALT_V1);
// RFC 9369 §3.2: v2 rotates the long-header packet types.
const INFO_V2: QuicVersionInfo = {
  version: QUIC_V2, salt: SALT_V2, keyLabel: 'quicv2 key', ivLabel: 'quicv2 iv', hpLabel: 'quicv2 hp',
  initialType: 1, zeroRttType: 2, handshakeType: 3, retryType: 0,
};
const DRAFTS: QuicVersionInfo[] = [];
for (let d = 29; d <= 34; d++) DRAFTS.push(v1Like(0xff000000 + d, d <= 32 ? SALT_DRAFT_29 : SALT_V1));

/** Parameters of a QUIC version whose Initials we can open (v1, v2, draft-29..34), else null. */
export function quicVersionInfo(version: number): QuicVersionInfo | null {
  if (version === QUIC_V1) return INFO_V1;
  if (version === QUIC_V2) return INFO_V2;
  if (version >= 0xff00001d && version <= 0xff000022) return DRAFTS[version - 0xff00001d];
  return null;
}

/** HMAC keys of the versions' salts, made on first use: every connection's HKDF-Extract starts from one. */
const saltKeys = new Map<Buffer, HmacSha256Key>();

function saltKey(salt: Buffer): HmacSha256Key {
  let key = saltKeys.get(salt);
  if (key === undefined) {
    key = new HmacSha256Key(salt);
    // Only the versions' own salts are worth keeping; any other caller's is used once.
    if (salt === SALT_V1 || salt === SALT_V2 || salt === SALT_DRAFT_29) saltKeys.set(salt, key);
  }
  return key;
}

/** HKDF-Extract with SHA-256 (RFC 5869 §2.2). */
export function hkdfExtract(salt: Buffer, ikm: Buffer): Buffer {
  const out = Buffer.allocUnsafe(32);
  saltKey(salt).macInto(ikm, 0, ikm.length, out, 0);
  return out;
}

/** HkdfLabel structures (RFC 8446 §7.1), by output length and then label, built once: there are a handful. */
const labelInfo: Map<string, Buffer>[] = [];

/** The HKDF-Expand input for `label` with an empty context, followed by the block counter 1. */
function expandInfo(label: string, length: number): Buffer {
  const byLabel = (labelInfo[length] ??= new Map<string, Buffer>());
  let info = byLabel.get(label);
  if (info === undefined) {
    const full = `tls13 ${label}`;
    info = Buffer.allocUnsafe(2 + 1 + full.length + 1 + 1);
    info.writeUInt16BE(length, 0);
    info[2] = full.length;
    info.write(full, 3, 'latin1');
    info[3 + full.length] = 0; // empty context
    info[4 + full.length] = 1; // HKDF-Expand block counter
    byLabel.set(label, info);
  }
  return info;
}

const BLOCK = Buffer.allocUnsafe(32);

/** HKDF-Expand-Label of `label` (length ≤ 32: one HMAC block) under `key`, written to out[outOff, outOff+length). */
function expandLabelInto(key: HmacSha256Key, label: string, length: number, out: Buffer, outOff: number): void {
  const info = expandInfo(label, length);
  key.macInto(info, 0, info.length, BLOCK, 0);
  BLOCK.copy(out, outOff, 0, length);
}

/** TLS 1.3 HKDF-Expand-Label with an empty context, SHA-256, length ≤ 32 (one HMAC block suffices). */
export function hkdfExpandLabel(secret: Buffer, label: string, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  expandLabelInto(new HmacSha256Key(secret), label, length, out, 0);
  return out;
}

// Reused by every derivation: their padded-key states are all that changes.
const initialKey = new HmacSha256Key(BLOCK);
const secretKey = new HmacSha256Key(BLOCK);

export interface InitialKeys {
  secret: Buffer;
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
  /** AES-ECB header-protection cipher, made on first use and reused (ECB keeps no state between blocks). */
  hpCipher?: Cipheriv;
  /**
   * `key` as a KeyObject, made on first use: node validates and converts a raw key on
   * every cipher it makes (about 10 µs), a KeyObject once.
   */
  keyObject?: KeyObject;
}

/** Initial secrets of one side ("client in" / "server in") for a client-chosen DCID. */
export function deriveInitialKeys(info: QuicVersionInfo, dcid: Buffer, server: boolean): InitialKeys {
  // One allocation for the four outputs: secret (32), key (16), iv (12), hp (16).
  const out = Buffer.allocUnsafe(76);
  saltKey(info.salt).macInto(dcid, 0, dcid.length, BLOCK, 0);
  initialKey.setKey(BLOCK);
  expandLabelInto(initialKey, server ? 'server in' : 'client in', 32, out, 0);
  const secret = out.subarray(0, 32);
  secretKey.setKey(secret);
  expandLabelInto(secretKey, info.keyLabel, 16, out, 32);
  expandLabelInto(secretKey, info.ivLabel, 12, out, 48);
  expandLabelInto(secretKey, info.hpLabel, 16, out, 60);
  return { secret, key: out.subarray(32, 48), iv: out.subarray(48, 60), hp: out.subarray(60, 76) };
}

/** Read a QUIC variable-length integer (RFC 9000 §16); null if it does not fit before `end`. */
export function readVarint(b: Buffer, off: number, end: number): { value: number; size: number } | null {
  if (off >= end) return null;
  const first = b[off];
  const size = 1 << (first >> 6);
  if (off + size > end) return null;
  let v = first & 0x3f;
  for (let i = 1; i < size; i++) v = v * 256 + b[off + i];
  return { value: v, size };
}

export interface LongHeader {
  /** Offset of the first byte of this packet in the datagram. */
  start: number;
  firstByte: number;
  version: number;
  /** Long packet type bits as on the wire (meaning depends on the version). */
  typeBits: number;
  dcid: Buffer;
  scid: Buffer;
  /** Offset of the (protected) packet number; for Retry / Version Negotiation, of the payload. */
  pnOffset: number;
  /** One past the last byte of this packet (end of the Length field's span). */
  end: number;
}

/**
 * Parse an unprotected long header at `off`. For Initial/0-RTT/Handshake packets `end`
 * comes from the Length field; for Retry and Version Negotiation it is the datagram end.
 * Returns a string describing the problem when the header does not parse.
 */
export function parseLongHeader(b: Buffer, off: number): LongHeader | string {
  const n = b.length;
  if (n - off < 7) return 'long header truncated';
  const firstByte = b[off];
  if ((firstByte & 0x80) === 0) return 'not a long header';
  const version = b.readUInt32BE(off + 1);
  let p = off + 5;
  const dcil = b[p++];
  if (dcil > 20 && version !== 0) return `destination connection ID of ${dcil} bytes`;
  if (p + dcil + 1 > n) return 'long header truncated in DCID';
  const dcid = b.subarray(p, p + dcil);
  p += dcil;
  const scil = b[p++];
  if (scil > 20 && version !== 0) return `source connection ID of ${scil} bytes`;
  if (p + scil > n) return 'long header truncated in SCID';
  const scid = b.subarray(p, p + scil);
  p += scil;
  const typeBits = (firstByte >> 4) & 3;
  const hdr: LongHeader = { start: off, firstByte, version, typeBits, dcid, scid, pnOffset: p, end: n };
  if (version === 0) return hdr;
  const info = quicVersionInfo(version);
  if (info === null) return hdr; // unknown version: caller cannot go further anyway
  if (typeBits === info.retryType) return hdr;
  if (typeBits === info.initialType) {
    const tok = readVarint(b, p, n);
    if (tok === null) return 'Initial truncated in token length';
    p += tok.size + tok.value;
    if (p > n) return 'Initial truncated in token';
  }
  const len = readVarint(b, p, n);
  if (len === null) return 'long header truncated in Length';
  p += len.size;
  hdr.pnOffset = p;
  hdr.end = p + len.value;
  if (hdr.end > n) return `packet Length ${len.value} exceeds the datagram`;
  if (len.value < 20) return `packet Length ${len.value} too short to hold a sample`;
  return hdr;
}

/** Full packet number from its truncated form (RFC 9000 §A.3); `largest` is -1 before any packet. */
export function decodePacketNumber(largest: number, truncated: number, pnLen: number): number {
  const expected = largest + 1;
  const win = 2 ** (pnLen * 8);
  const hwin = win / 2;
  const candidate = (expected - (expected % win)) + truncated;
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}

export interface OpenedPacket {
  packetNumber: number;
  payload: Buffer;
}

/**
 * Remove header protection and decrypt one long-header packet with AES-128-GCM keys.
 * `largest` is the largest packet number already opened in this space (-1 if none).
 * Returns the plaintext frames or an error string (bad sample, authentication failure).
 */
export function openLongPacket(b: Buffer, hdr: LongHeader, keys: InitialKeys, largest: number): OpenedPacket | string {
  const sampleOff = hdr.pnOffset + 4;
  if (sampleOff + 16 > hdr.end) return 'packet too short for the header protection sample';
  let mask: Buffer;
  try {
    let ecb = keys.hpCipher;
    if (ecb === undefined) {
      ecb = createCipheriv('aes-128-ecb', createSecretKey(keys.hp), null);
      ecb.setAutoPadding(false);
      keys.hpCipher = ecb;
    }
    mask = ecb.update(b.subarray(sampleOff, sampleOff + 16));
  } catch (e) {
    return `header protection: ${(e as Error).message}`;
  }
  const first = b[hdr.start] ^ (mask[0] & 0x0f);
  const pnLen = (first & 3) + 1;
  // The AEAD's associated data is the header with protection removed: rebuild it in a copy.
  const header = Buffer.from(b.subarray(hdr.start, hdr.pnOffset + pnLen));
  header[0] = first;
  let truncated = 0;
  const pnAt = hdr.pnOffset - hdr.start;
  for (let i = 0; i < pnLen; i++) {
    header[pnAt + i] ^= mask[1 + i];
    truncated = truncated * 256 + header[pnAt + i];
  }
  const pn = decodePacketNumber(largest, truncated, pnLen);
  const nonce = Buffer.from(keys.iv);
  // XOR the 62-bit packet number into the low bytes of the IV.
  let rest = pn;
  for (let i = 11; i >= 4 && rest > 0; i--) {
    nonce[i] ^= rest % 256;
    rest = Math.floor(rest / 256);
  }
  const ctStart = hdr.pnOffset + pnLen;
  const tagStart = hdr.end - 16;
  if (tagStart < ctStart) return 'packet too short for the AEAD tag';
  try {
    keys.keyObject ??= createSecretKey(keys.key);
    const gcm = createDecipheriv('aes-128-gcm', keys.keyObject, nonce);
    gcm.setAAD(header);
    gcm.setAuthTag(b.subarray(tagStart, hdr.end));
    const out = gcm.update(b.subarray(ctStart, tagStart));
    gcm.final();
    return { packetNumber: pn, payload: out };
  } catch {
    return 'decryption failed (authentication tag mismatch)';
  }
}

export interface CryptoFragment {
  offset: number;
  data: Buffer;
}

export interface InitialFrames {
  crypto: CryptoFragment[];
  /** CONNECTION_CLOSE error code if one was seen. */
  closeCode: number | null;
  error: string | null;
}

/** Parse the frames of a decrypted Initial (or Handshake) payload; CRYPTO data are views into `payload`. */
export function parseInitialFrames(payload: Buffer): InitialFrames {
  const out: InitialFrames = { crypto: [], closeCode: null, error: null };
  const n = payload.length;
  let p = 0;
  while (p < n) {
    const t = payload[p];
    if (t === 0x00 || t === 0x01) { p++; continue; } // PADDING, PING
    if (t === 0x02 || t === 0x03) {
      // ACK: largest, delay, range count, first range; then (gap, length) pairs; ECN counts for 0x03.
      let q = p + 1;
      let count = 4;
      for (let i = 0; i < count; i++) {
        const v = readVarint(payload, q, n);
        if (v === null || (i === 2 && v.value > 1024)) { out.error = 'malformed ACK frame'; return out; }
        q += v.size;
        if (i === 2) count += v.value * 2 + (t === 0x03 ? 3 : 0);
      }
      p = q;
      continue;
    }
    if (t === 0x06) {
      const o = readVarint(payload, p + 1, n);
      if (o === null) { out.error = 'truncated CRYPTO frame'; return out; }
      const l = readVarint(payload, p + 1 + o.size, n);
      if (l === null) { out.error = 'truncated CRYPTO frame'; return out; }
      const start = p + 1 + o.size + l.size;
      if (start + l.value > n) { out.error = 'CRYPTO frame overruns the packet'; return out; }
      out.crypto.push({ offset: o.value, data: payload.subarray(start, start + l.value) });
      p = start + l.value;
      continue;
    }
    if (t === 0x1c || t === 0x1d) {
      let q = p + 1;
      const code = readVarint(payload, q, n);
      if (code === null) { out.error = 'truncated CONNECTION_CLOSE frame'; return out; }
      q += code.size;
      if (t === 0x1c) {
        const ft = readVarint(payload, q, n);
        if (ft === null) { out.error = 'truncated CONNECTION_CLOSE frame'; return out; }
        q += ft.size;
      }
      const rl = readVarint(payload, q, n);
      if (rl === null || q + rl.size + rl.value > n) { out.error = 'truncated CONNECTION_CLOSE frame'; return out; }
      out.closeCode = code.value;
      p = q + rl.size + rl.value;
      continue;
    }
    out.error = `frame type 0x${t.toString(16)} not allowed in an Initial packet`;
    return out;
  }
  return out;
}
