/**
 * Test-side QUIC packet protection (the sender's half of RFC 9001 §5), used to build
 * Initials the RFC vectors do not cover: fragmented CRYPTO, coalesced packets, Retry.
 * The receiving half under test is checked against the RFC vectors separately.
 */
import { createCipheriv } from 'node:crypto';
import type { InitialKeys, QuicVersionInfo } from '../../../electron/engine/protocols/quic-initial.ts';

export function varint(v: number): Buffer {
  if (v < 0x40) return Buffer.from([v]);
  if (v < 0x4000) return Buffer.from([0x40 | (v >> 8), v & 0xff]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((0x80000000 | v) >>> 0);
  return b;
}

export function cryptoFrame(offset: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x06]), varint(offset), varint(data.length), data]);
}

export interface LongPacketSpec {
  info: QuicVersionInfo;
  keys: InitialKeys;
  type: 'initial' | 'handshake';
  dcid: Buffer;
  scid: Buffer;
  token?: Buffer;
  pn: number;
  payload: Buffer;
}

/** Build and protect one long-header packet with a 2-byte packet number. */
export function protectLong(spec: LongPacketSpec): Buffer {
  const { info, keys } = spec;
  const pnLen = 2;
  const typeBits = spec.type === 'initial' ? info.initialType : info.handshakeType;
  const payload = spec.payload.length < 20 ? Buffer.concat([spec.payload, Buffer.alloc(20 - spec.payload.length)]) : spec.payload;
  const version = Buffer.alloc(4);
  version.writeUInt32BE(info.version);
  const parts = [
    Buffer.from([0xc0 | (typeBits << 4) | (pnLen - 1)]), version,
    Buffer.from([spec.dcid.length]), spec.dcid, Buffer.from([spec.scid.length]), spec.scid,
  ];
  if (spec.type === 'initial') parts.push(varint(spec.token?.length ?? 0), spec.token ?? Buffer.alloc(0));
  const length = pnLen + payload.length + 16;
  parts.push(Buffer.from([0x40 | (length >> 8), length & 0xff]));
  const pnOffset = parts.reduce((n, p) => n + p.length, 0);
  parts.push(Buffer.from([(spec.pn >> 8) & 0xff, spec.pn & 0xff]));
  const header = Buffer.concat(parts);
  const nonce = Buffer.from(keys.iv);
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ spec.pn) >>> 0, 8);
  const gcm = createCipheriv('aes-128-gcm', keys.key, nonce);
  gcm.setAAD(header);
  const ct = Buffer.concat([gcm.update(payload), gcm.final(), gcm.getAuthTag()]);
  const packet = Buffer.concat([header, ct]);
  const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(packet.subarray(pnOffset + 4, pnOffset + 20));
  packet[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < pnLen; i++) packet[pnOffset + i] ^= mask[1 + i];
  return packet;
}

/** A Retry packet (integrity tag not checked by the code under test, so it is left as zeros). */
export function retryPacket(info: QuicVersionInfo, dcid: Buffer, scid: Buffer, token: Buffer): Buffer {
  const version = Buffer.alloc(4);
  version.writeUInt32BE(info.version);
  return Buffer.concat([
    Buffer.from([0xc0 | (info.retryType << 4)]), version, Buffer.from([dcid.length]), dcid,
    Buffer.from([scid.length]), scid, token, Buffer.alloc(16),
  ]);
}
