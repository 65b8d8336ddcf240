/**
 * The 'quic' UDP protocol fed datagrams directly (no dissector): the RFC 9001 / RFC 9369
 * Initials, then packets built by the test's own protector for fragmented CRYPTO,
 * coalescing, Retry and failure cases.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../../../electron/engine/records.ts';
import { looksLikeQuicInitial, quicProtocol } from '../../../electron/engine/protocols/quic.ts';
import { QUIC_V1, QUIC_V2, deriveInitialKeys, quicVersionInfo } from '../../../electron/engine/protocols/quic-initial.ts';
import type { ConversationState, PacketInfo } from '../../../electron/engine/protocols/types.ts';
import { cryptoFrame, protectLong, retryPacket } from './quic-build.ts';
import { V1_CLIENT_INITIAL, V1_SERVER_INITIAL, V2_CLIENT_INITIAL, V2_SERVER_INITIAL } from './quic-rfc-vectors.ts';
import { clientHelloBody, extAlpn, extOpaque, extSigAlgs, extSni, extSupportedVersions, handshake, serverHelloBody, u16 } from './tls-build.ts';

function newConv(): ConversationState {
  return { data: undefined, fromClient: true, clientIp: '2001:db8::1', clientPort: 51000, serverIp: '2001:db8::2', serverPort: 443 };
}

function pkt(frame: number, fromClient: boolean): PacketInfo {
  return {
    input: 3, frame, tsSec: 1_650_000_000, tsNsec: frame * 1000, ipVersion: 6,
    srcIp: fromClient ? '2001:db8::1' : '2001:db8::2', dstIp: fromClient ? '2001:db8::2' : '2001:db8::1',
    srcPort: fromClient ? 51000 : 443, dstPort: fromClient ? 443 : 51000, srcMac: null, dstMac: null,
  };
}

/** Deliver one datagram in the given direction. */
function send(conv: ConversationState, sink: CollectingSink, frame: number, fromClient: boolean, datagram: Buffer): void {
  conv.fromClient = fromClient;
  quicProtocol.datagram(datagram, pkt(frame, fromClient), conv, sink);
}

function sha12(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

describe('quic protocol on the RFC vectors', () => {
  for (const [name, version, client, server] of [
    ['v1 (RFC 9001)', QUIC_V1, V1_CLIENT_INITIAL, V1_SERVER_INITIAL],
    ['v2 (RFC 9369)', QUIC_V2, V2_CLIENT_INITIAL, V2_SERVER_INITIAL],
  ] as const) {
    it(`records the ${name} handshake with SNI, ServerHello and JA4`, () => {
      const sink = new CollectingSink();
      const conv = newConv();
      send(conv, sink, 1, true, Buffer.from(client, 'hex'));
      expect(sink.tlsRecords).toHaveLength(0);
      send(conv, sink, 2, false, Buffer.from(server, 'hex'));
      expect(sink.anomalyRecords).toEqual([]);
      expect(sink.tlsRecords).toHaveLength(1);
      const r = sink.tlsRecords[0];
      expect(r).toMatchObject({
        input: 3, frame: 1, ts: 1_650_000_000_000_001_000n, transport: 'quic', sni: 'example.com', alpn: ['alpn'],
        quicVersion: version, versions: [0x0304], ciphers: [0x1301, 0x1302], serverVersion: 0x0304, serverCipher: 0x1301,
        serverFrame: 2, srcIp: '2001:db8::1', dstPort: 443,
      });
      expect(r.extensions).toEqual([0x0000, 0xff01, 0x000a, 0x0010, 0x0005, 0x0033, 0x002b, 0x000d, 0x002d, 0x001c, 0x0039]);
      // JA4 by hand from the RFC's plaintext hello: QUIC, TLS 1.3, SNI, 2 ciphers, 11 extensions, ALPN "alpn".
      const b = sha12('1301,1302');
      const c = sha12('0005,000a,000d,001c,002b,002d,0033,0039,ff01_0403,0503,0603,0203,0804,0805,0806');
      expect(r.ja4).toBe(`q13d0211an_${b}_${c}`);
      // Later datagrams of the connection cost nothing and change nothing.
      send(conv, sink, 3, true, Buffer.from(client, 'hex'));
      expect(sink.tlsRecords).toHaveLength(1);
    });
  }

  it('waits for the server, then flushes at end()', () => {
    const sink = new CollectingSink();
    const conv = newConv();
    send(conv, sink, 1, true, Buffer.from(V1_CLIENT_INITIAL, 'hex'));
    expect(sink.tlsRecords).toHaveLength(0);
    quicProtocol.end?.(conv, sink);
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0].serverCipher).toBeNull();
    quicProtocol.end?.(conv, sink);
    expect(sink.tlsRecords).toHaveLength(1);
  });

  it('reports a corrupted Initial as a quic anomaly without throwing', () => {
    const sink = new CollectingSink();
    const conv = newConv();
    const bad = Buffer.from(V1_CLIENT_INITIAL, 'hex');
    bad[700] ^= 0xff;
    send(conv, sink, 1, true, bad);
    quicProtocol.end?.(conv, sink);
    expect(sink.tlsRecords).toEqual([]);
    expect(sink.anomalyRecords).toEqual([{ input: 3, frame: 1, layer: 'quic', error: 'QUIC client Initial: decryption failed (authentication tag mismatch)' }]);
  });
});

describe('quic protocol on built packets', () => {
  const info = quicVersionInfo(QUIC_V1)!;
  const dcid = Buffer.from('0011223344556677', 'hex');
  const cid = Buffer.from('c1c2c3c4', 'hex');
  const scid = Buffer.from('5a5b5c5d5e5f', 'hex');
  const ck = deriveInitialKeys(info, dcid, false);
  const sk = deriveInitialKeys(info, dcid, true);
  const hello = handshake(1, clientHelloBody({
    ciphers: [0x1301, 0x1303],
    extensions: [extSni('googleads.example.net'), extAlpn(['h3']), extSupportedVersions([0x0304]), extSigAlgs([0x0403]), extOpaque(0x0039, 1500)],
  }));
  const shello = handshake(2, serverHelloBody(0x1303, [[0x002b, u16(0x0304)]]));

  it('reassembles a ClientHello split over three Initials, out of order, coalesced with other packets', () => {
    const sink = new CollectingSink();
    const conv = newConv();
    const cut1 = 700;
    const cut2 = 1300;
    const p1 = protectLong({ info, keys: ck, type: 'initial', dcid, scid: cid, pn: 0,
      payload: Buffer.concat([cryptoFrame(cut1, hello.subarray(cut1, cut2)), Buffer.from([1, 0, 0]), cryptoFrame(0, hello.subarray(0, 300))]) });
    const p2 = protectLong({ info, keys: ck, type: 'initial', dcid, scid: cid, pn: 1,
      payload: Buffer.concat([cryptoFrame(cut2, hello.subarray(cut2)), Buffer.alloc(50)]) });
    const p3 = protectLong({ info, keys: ck, type: 'initial', dcid, scid: cid, pn: 2,
      payload: Buffer.concat([cryptoFrame(250, hello.subarray(250, cut1 + 10))]) });
    // A 0-RTT-like Handshake packet coalesced after p1 must be skipped by its Length.
    const junk = protectLong({ info, keys: sk, type: 'handshake', dcid, scid: cid, pn: 0, payload: Buffer.alloc(40, 7) });
    send(conv, sink, 10, true, Buffer.concat([p1, junk]));
    send(conv, sink, 11, true, p2);
    expect(sink.tlsRecords).toHaveLength(0);
    send(conv, sink, 12, true, p3);
    // Server: Initial (ACK + ServerHello) coalesced with a Handshake packet and a short-header tail.
    const sInit = protectLong({ info, keys: sk, type: 'initial', dcid: cid, scid, pn: 0,
      payload: Buffer.concat([Buffer.from('0200000000', 'hex'), cryptoFrame(0, shello)]) });
    const sHs = protectLong({ info, keys: sk, type: 'handshake', dcid: cid, scid, pn: 0, payload: Buffer.alloc(100, 3) });
    send(conv, sink, 13, false, Buffer.concat([sInit, sHs, Buffer.from([0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])]));
    expect(sink.anomalyRecords).toEqual([]);
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0]).toMatchObject({
      frame: 10, sni: 'googleads.example.net', alpn: ['h3'], serverCipher: 0x1303, serverVersion: 0x0304, serverFrame: 13,
    });
    expect(sink.tlsRecords[0].ja4?.startsWith('q13d0205h3_')).toBe(true);
  });

  it('keeps a ClientHello whose last Initial never came, at end()', () => {
    const sink = new CollectingSink();
    const conv = newConv();
    send(conv, sink, 5, true, protectLong({ info, keys: ck, type: 'initial', dcid, scid: cid, pn: 0, payload: cryptoFrame(0, hello.subarray(0, 600)) }));
    expect(sink.tlsRecords).toHaveLength(0);
    quicProtocol.end?.(conv, sink);
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0]).toMatchObject({ frame: 5, sni: 'googleads.example.net' });
    expect(sink.anomalyRecords.map((a) => a.error)).toEqual([`QUIC ClientHello cut short (596 of ${hello.length - 4} bytes)`]);
  });

  it('follows a Retry: Initial keys come from the Retry source connection ID', () => {
    const sink = new CollectingSink();
    const conv = newConv();
    const first = protectLong({ info, keys: ck, type: 'initial', dcid, scid: cid, pn: 0, payload: cryptoFrame(0, hello.subarray(0, 400)) });
    send(conv, sink, 1, true, first);
    send(conv, sink, 2, false, retryPacket(info, cid, scid, Buffer.from('token')));
    const rk = deriveInitialKeys(info, scid, false);
    const again = protectLong({ info, keys: rk, type: 'initial', dcid: scid, scid: cid, token: Buffer.from('token'), pn: 1, payload: cryptoFrame(0, hello) });
    send(conv, sink, 3, true, again);
    const rsk = deriveInitialKeys(info, scid, true);
    send(conv, sink, 4, false, protectLong({ info, keys: rsk, type: 'initial', dcid: cid, scid, pn: 0, payload: cryptoFrame(0, shello) }));
    expect(sink.anomalyRecords).toEqual([]);
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0]).toMatchObject({ sni: 'googleads.example.net', serverCipher: 0x1303, frame: 1 });
  });

  it('records the ClientHello without a ServerHello when the server only ACKs', () => {
    const sink = new CollectingSink();
    const conv = newConv();
    send(conv, sink, 1, true, protectLong({ info, keys: ck, type: 'initial', dcid, scid: cid, pn: 0, payload: cryptoFrame(0, hello) }));
    for (let i = 0; i < 30; i++) {
      send(conv, sink, 2 + i, false, protectLong({ info, keys: sk, type: 'initial', dcid: cid, scid, pn: i, payload: Buffer.from('0200000000', 'hex') }));
    }
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0].serverCipher).toBeNull();
    expect(sink.anomalyRecords.map((a) => a.error)).toEqual(['no complete QUIC ServerHello in 16 Initial packets']);
  });

  it('ignores gQUIC, Version Negotiation and short headers without anomalies', () => {
    const sink = new CollectingSink();
    const conv = newConv();
    const q046 = Buffer.concat([Buffer.from('c3513034365008', 'hex'), Buffer.alloc(1200, 0x41)]);
    const q043 = Buffer.concat([Buffer.from('0d1122334455667788513034330001', 'hex'), Buffer.alloc(1200, 0x42)]);
    const vn = Buffer.concat([Buffer.from('8000000000080011223344556677', 'hex'), Buffer.from('000000016b3343cf', 'hex')]);
    for (const d of [q046, q043, vn, Buffer.from([0x40, 1, 2]), Buffer.alloc(0), Buffer.from([0xc0])]) send(conv, sink, 1, true, d);
    quicProtocol.end?.(conv, sink);
    expect(sink.tlsRecords).toEqual([]);
    expect(sink.anomalyRecords).toEqual([]);
  });
});

describe('looksLikeQuicInitial', () => {
  it('accepts client Initials of v1 and v2 and nothing else', () => {
    expect(looksLikeQuicInitial(Buffer.from(V1_CLIENT_INITIAL, 'hex'))).toBe(true);
    expect(looksLikeQuicInitial(Buffer.from(V2_CLIENT_INITIAL, 'hex'))).toBe(true);
    // Server Initials have a zero-length DCID here (< 8 bytes): not a connection's first packet.
    expect(looksLikeQuicInitial(Buffer.from(V1_SERVER_INITIAL, 'hex'))).toBe(false);
    const v2AsV1 = Buffer.from(V2_CLIENT_INITIAL, 'hex');
    v2AsV1.writeUInt32BE(1, 1); // v2's Initial type bits (01) mean 0-RTT in v1
    expect(looksLikeQuicInitial(v2AsV1)).toBe(false);
    const unknown = Buffer.from(V1_CLIENT_INITIAL, 'hex');
    unknown.writeUInt32BE(0x1a2a3a4a, 1);
    expect(looksLikeQuicInitial(unknown)).toBe(false);
    expect(looksLikeQuicInitial(Buffer.from(V1_CLIENT_INITIAL, 'hex').subarray(0, 300))).toBe(false);
    expect(looksLikeQuicInitial(Buffer.from('474554202f20485454502f312e310d0a0d0a0d0a0d0a0d0a0d0a0d', 'hex'))).toBe(false);
  });
});
