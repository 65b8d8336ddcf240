/**
 * Builders for QUIC v1 packets as a client and server put them on the wire: Initial
 * packets protected per RFC 9001 §5 (keys from the client's first Destination
 * Connection ID, AES-128-GCM payload, AES-128-ECB header protection), plus opaque
 * Handshake and 1-RTT packets whose contents nobody without keys could read anyway.
 * Written for the generators; independent of the engine's QUIC code so each checks
 * the other.
 */
import { createCipheriv, createHmac } from 'node:crypto';

/** RFC 9001 §5.2: the salt of QUIC version 1. */
const V1_SALT = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const V1 = 0x00000001;

export interface PacketKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** TLS 1.3 HKDF-Expand-Label (RFC 8446 §7.1) with an empty context; one HMAC block is enough for ≤ 32 bytes. */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.alloc(2 + 1 + full.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = 0; // context length
  info[4 + full.length] = 1; // HKDF-Expand block counter T(1)
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

/** Initial packet keys of one side, derived from the Destination Connection ID of the client's first Initial. */
export function initialKeys(clientDcid: Buffer, side: 'client' | 'server'): PacketKeys {
  const initialSecret = createHmac('sha256', V1_SALT).update(clientDcid).digest();
  const secret = expandLabel(initialSecret, side === 'client' ? 'client in' : 'server in', 32);
  return { key: expandLabel(secret, 'quic key', 16), iv: expandLabel(secret, 'quic iv', 12), hp: expandLabel(secret, 'quic hp', 16) };
}

/** A variable-length integer (RFC 9000 §16) in its shortest form. */
export function varint(n: number): Buffer {
  if (n < 0x40) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  if (n < 0x40000000) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE((n | 0x80000000) >>> 0);
    return b;
  }
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n) | 0xc000000000000000n);
  return b;
}

/** A CRYPTO frame (type 0x06) carrying `data` at stream offset `offset`. */
export function cryptoFrame(offset: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x06]), varint(offset), varint(data.length), data]);
}

/** An ACK frame acknowledging packets 0..largest with no gaps. */
export function ackFrame(largest: number): Buffer {
  return Buffer.concat([Buffer.from([0x02]), varint(largest), varint(0), varint(0), varint(largest)]);
}

export interface InitialSpec {
  /** The client's original Destination Connection ID: the keys come from it. */
  keyDcid: Buffer;
  /** Who sends this packet. */
  side: 'client' | 'server';
  dcid: Buffer;
  scid: Buffer;
  packetNumber: number;
  /** 1 to 4 bytes on the wire. */
  pnLength: number;
  /** Plaintext frames. */
  frames: Buffer;
  /** Pad the frames with PADDING so the whole packet is this long (clients: 1200). */
  padTo?: number;
  /** Keys already derived for this side, to save the HMACs when many packets share them. */
  keys?: PacketKeys;
}

/** A protected QUIC v1 Initial packet. */
export function protectedInitial(spec: InitialSpec): Buffer {
  const pnLen = spec.pnLength;
  // First byte: long header, fixed bit, type Initial (0), reserved bits 0, pn length − 1.
  const fixed = Buffer.concat([
    Buffer.from([0xc0 | (pnLen - 1), 0, 0, 0, V1]),
    Buffer.from([spec.dcid.length]), spec.dcid,
    Buffer.from([spec.scid.length]), spec.scid,
    Buffer.from([0]), // token length
  ]);
  // The Length field is always written in two bytes so padding arithmetic stays simple.
  const lengthFieldSize = 2;
  let frames = spec.frames;
  if (spec.padTo !== undefined) {
    const bare = fixed.length + lengthFieldSize + pnLen + frames.length + 16;
    if (bare < spec.padTo) frames = Buffer.concat([frames, Buffer.alloc(spec.padTo - bare)]);
  }
  // Header protection samples 16 bytes starting 4 bytes after the packet number start.
  if (pnLen + frames.length < 4) frames = Buffer.concat([frames, Buffer.alloc(4 - pnLen - frames.length)]);
  const length = pnLen + frames.length + 16;
  const pn = Buffer.alloc(pnLen);
  pn.writeUIntBE(spec.packetNumber % 2 ** (8 * pnLen), 0, pnLen);
  const header = Buffer.concat([fixed, Buffer.from([0x40 | (length >> 8), length & 0xff]), pn]);
  const pnOffset = header.length - pnLen;

  const keys = spec.keys ?? initialKeys(spec.keyDcid, spec.side);
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 6; i++) nonce[11 - i] ^= Math.floor(spec.packetNumber / 2 ** (8 * i)) & 0xff;
  const aead = createCipheriv('aes-128-gcm', keys.key, nonce);
  aead.setAAD(header);
  const sealed = Buffer.concat([header, aead.update(frames), aead.final(), aead.getAuthTag()]);

  const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(sealed.subarray(pnOffset + 4, pnOffset + 20));
  sealed[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < pnLen; i++) sealed[pnOffset + i] ^= mask[1 + i];
  return sealed;
}

/**
 * A long-header Handshake packet (type 2) whose protected part is `opaque`: correct
 * framing, unreadable content, as a capture without keys sees it.
 */
export function opaqueHandshake(dcid: Buffer, scid: Buffer, opaque: Buffer): Buffer {
  const length = opaque.length;
  return Buffer.concat([
    Buffer.from([0xe0 | (opaque[0] & 0x03), 0, 0, 0, V1]),
    Buffer.from([dcid.length]), dcid,
    Buffer.from([scid.length]), scid,
    varint(length), opaque,
  ]);
}

/** A short-header (1-RTT) packet to the peer that chose `dcid`, with an opaque protected part. */
export function opaqueShort(dcid: Buffer, opaque: Buffer, keyPhaseSpin: number): Buffer {
  return Buffer.concat([Buffer.from([0x40 | (keyPhaseSpin & 0x3f)]), dcid, opaque]);
}
