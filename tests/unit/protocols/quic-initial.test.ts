/** QUIC Initial key derivation and packet opening against RFC 9001 / RFC 9369 Appendix A. */
import { describe, expect, it } from 'vitest';
import {
  QUIC_V1, QUIC_V2, decodePacketNumber, deriveInitialKeys, openLongPacket, parseInitialFrames, parseLongHeader,
  quicVersionInfo, readVarint,
} from '../../../electron/engine/protocols/quic-initial.ts';
import { parseClientHello, parseServerHello } from '../../../electron/engine/protocols/tls-hello.ts';
import {
  CLIENT_CRYPTO_FRAME, RFC_DCID, V1_CLIENT_INITIAL, V1_KEYS, V1_SERVER_INITIAL, V1_SERVER_PAYLOAD, V2_CLIENT_INITIAL,
  V2_KEYS, V2_SERVER_INITIAL,
} from './quic-rfc-vectors.ts';

const dcid = Buffer.from(RFC_DCID, 'hex');

function hex(b: Buffer): string {
  return b.toString('hex');
}

describe('Initial keys', () => {
  for (const [name, version, want] of [['v1 (RFC 9001 A.1)', QUIC_V1, V1_KEYS], ['v2 (RFC 9369 A.1)', QUIC_V2, V2_KEYS]] as const) {
    it(`derives the ${name} client and server keys`, () => {
      const info = quicVersionInfo(version);
      expect(info).not.toBeNull();
      const c = deriveInitialKeys(info!, dcid, false);
      const s = deriveInitialKeys(info!, dcid, true);
      expect([hex(c.secret), hex(c.key), hex(c.iv), hex(c.hp)]).toEqual([want.clientSecret, want.clientKey, want.clientIv, want.clientHp]);
      expect([hex(s.secret), hex(s.key), hex(s.iv), hex(s.hp)]).toEqual([want.serverSecret, want.serverKey, want.serverIv, want.serverHp]);
    });
  }

  it('uses the draft-29 salt for draft-29..32 and the v1 salt for draft-33/34', () => {
    // draft-ietf-quic-tls-29 Appendix A.1: client_initial_secret for the same DCID.
    const d29 = deriveInitialKeys(quicVersionInfo(0xff00001d)!, dcid, false);
    expect(hex(d29.secret)).toBe('0088119288f1d866733ceeed15ff9d50902cf82952eee27e9d4d4918ea371d87');
    expect(hex(deriveInitialKeys(quicVersionInfo(0xff000020)!, dcid, false).secret)).toBe(hex(d29.secret));
    expect(hex(deriveInitialKeys(quicVersionInfo(0xff000022)!, dcid, false).secret)).toBe(V1_KEYS.clientSecret);
    expect(quicVersionInfo(0xff00001c)).toBeNull();
    expect(quicVersionInfo(0x51303436)).toBeNull(); // gQUIC Q046
  });
});

describe('opening Initial packets', () => {
  const cases = [
    { name: 'RFC 9001 A.2 client Initial', version: QUIC_V1, hexPacket: V1_CLIENT_INITIAL, server: false, pn: 2 },
    { name: 'RFC 9369 A.2 client Initial', version: QUIC_V2, hexPacket: V2_CLIENT_INITIAL, server: false, pn: 2 },
    { name: 'RFC 9001 A.3 server Initial', version: QUIC_V1, hexPacket: V1_SERVER_INITIAL, server: true, pn: 1 },
    { name: 'RFC 9369 A.3 server Initial', version: QUIC_V2, hexPacket: V2_SERVER_INITIAL, server: true, pn: 1 },
  ];
  for (const c of cases) {
    it(`decrypts the ${c.name}`, () => {
      const packet = Buffer.from(c.hexPacket, 'hex');
      const info = quicVersionInfo(c.version)!;
      const hdr = parseLongHeader(packet, 0);
      if (typeof hdr === 'string') throw new Error(hdr);
      expect(hdr.version).toBe(c.version);
      expect(hdr.typeBits).toBe(info.initialType);
      expect(hdr.end).toBe(packet.length);
      const opened = openLongPacket(packet, hdr, deriveInitialKeys(info, dcid, c.server), -1);
      if (typeof opened === 'string') throw new Error(opened);
      expect(opened.packetNumber).toBe(c.pn);
      if (c.server) {
        expect(hex(opened.payload)).toBe(V1_SERVER_PAYLOAD);
        const frames = parseInitialFrames(opened.payload);
        expect(frames.error).toBeNull();
        const sh = parseServerHello(frames.crypto[0].data.subarray(4));
        expect([sh.cipher, sh.selectedVersion]).toEqual([0x1301, 0x0304]);
      } else {
        expect(opened.payload.length).toBe(1162);
        expect(hex(opened.payload.subarray(0, CLIENT_CRYPTO_FRAME.length / 2))).toBe(CLIENT_CRYPTO_FRAME);
        expect(opened.payload.subarray(CLIENT_CRYPTO_FRAME.length / 2).every((b) => b === 0)).toBe(true);
        const frames = parseInitialFrames(opened.payload);
        expect(frames.error).toBeNull();
        expect(frames.crypto).toHaveLength(1);
        const ch = parseClientHello(frames.crypto[0].data.subarray(4));
        expect(ch.error).toBeNull();
        expect([ch.sni, ch.alpn, ch.ciphers]).toEqual(['example.com', ['alpn'], [0x1301, 0x1302]]);
      }
    });
  }

  it('fails cleanly with the wrong keys or a flipped bit', () => {
    const packet = Buffer.from(V1_CLIENT_INITIAL, 'hex');
    const hdr = parseLongHeader(packet, 0);
    if (typeof hdr === 'string') throw new Error(hdr);
    const info = quicVersionInfo(QUIC_V1)!;
    expect(openLongPacket(packet, hdr, deriveInitialKeys(info, dcid, true), -1)).toMatch(/decryption failed/);
    packet[600] ^= 1;
    expect(openLongPacket(packet, hdr, deriveInitialKeys(info, dcid, false), -1)).toMatch(/decryption failed/);
  });

  it('rejects headers whose lengths do not fit', () => {
    const packet = Buffer.from(V1_CLIENT_INITIAL, 'hex');
    expect(parseLongHeader(packet.subarray(0, 600), 0)).toMatch(/exceeds the datagram/);
    expect(parseLongHeader(packet.subarray(0, 10), 0)).toMatch(/truncated/);
    const wide = Buffer.from(packet);
    wide[5] = 21;
    expect(parseLongHeader(wide, 0)).toMatch(/21 bytes/);
  });
});

describe('helpers', () => {
  it('decodes packet numbers as RFC 9000 A.3 does', () => {
    // RFC 9000 A.3 example: largest 0xa82f30ea, truncated 0x9b32 in 2 bytes → 0xa82f9b32.
    expect(decodePacketNumber(0xa82f30ea, 0x9b32, 2)).toBe(0xa82f9b32);
    expect(decodePacketNumber(-1, 0, 1)).toBe(0);
    expect(decodePacketNumber(254, 0x01, 1)).toBe(257);
  });

  it('reads varints of every size (RFC 9000 A.1 examples)', () => {
    // The 8-byte example exceeds 2^53: a double holds the nearest value, which is what we compare.
    const cases: Array<[string, number]> = [['c2197c5eff14e88c', Number(151288809941952652n)], ['9d7f3e7d', 494878333], ['7bbd', 15293], ['25', 37], ['4025', 37]];
    for (const [h, v] of cases) {
      const b = Buffer.from(h, 'hex');
      const r = readVarint(b, 0, b.length);
      expect(r?.size).toBe(b.length);
      expect(r?.value).toBe(v);
    }
    expect(readVarint(Buffer.from('9d7f', 'hex'), 0, 2)).toBeNull();
  });

  it('parses ACK (with ranges and ECN), PING, PADDING and CONNECTION_CLOSE frames', () => {
    const payload = Buffer.concat([
      Buffer.from('0305000101', 'hex'), // ACK_ECN: largest 5, delay 0, 1 extra range, first range 1
      Buffer.from('0001', 'hex'), // that range: gap 0, length 1
      Buffer.from('010203', 'hex'), // ECN counts ECT0, ECT1, CE
      Buffer.from('01', 'hex'), // PING
      Buffer.from('1c4019000568656c6c6f', 'hex'), // CONNECTION_CLOSE code 0x19, frame type 0, reason "hello"
      Buffer.from('0000', 'hex'),
    ]);
    const f = parseInitialFrames(payload);
    expect(f.error).toBeNull();
    expect(f.closeCode).toBe(0x19);
    expect(parseInitialFrames(Buffer.from('08000102', 'hex')).error).toMatch(/frame type 0x8 not allowed/);
  });
});
