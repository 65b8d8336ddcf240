/** The 'tls' TCP stream handler, fed hand-built records directly (no dissector). */
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../../../electron/engine/records.ts';
import { looksLikeTlsHello, tlsProtocol } from '../../../electron/engine/protocols/tls.ts';
import type { StreamChunkMeta, StreamDir, TcpConversation, TcpStreamHandler } from '../../../electron/engine/protocols/types.ts';
import {
  clientHelloBody, extAlpn, extOpaque, extSigAlgs, extSni, extSupportedVersions, handshake, records,
  serverHelloBody, u16,
} from './tls-build.ts';

const conv: TcpConversation = {
  input: 7, clientIp: '10.0.0.1', clientPort: 50000, serverIp: '192.0.2.9', serverPort: 443, clientMac: null, serverMac: null,
};

// A big hello (like Chrome's 1.7 kB post-quantum one) so that it needs several records and segments.
const helloMsg = handshake(1, clientHelloBody({
  ciphers: [0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b],
  extensions: [
    extSni('lh3.example.com'),
    extAlpn(['h2', 'http/1.1']),
    extSupportedVersions([0x0304, 0x0303]),
    extSigAlgs([0x0403, 0x0804]),
    extOpaque(0x0033, 1250),
  ],
}));
const serverMsg = handshake(2, serverHelloBody(0x1302, [[0x002b, u16(0x0304)]]));

function meta(frame: number, gapBefore = 0): StreamChunkMeta {
  return { frame, tsSec: 1_700_000_000 + frame, tsNsec: 5000, gapBefore };
}

/** Feed `bytes` to `h` in chunks of `size`, numbering frames from `frame`. Returns the next frame number. */
function feed(h: TcpStreamHandler, dir: StreamDir, bytes: Buffer, size: number, frame: number): number {
  for (let off = 0; off < bytes.length; off += size) {
    h.data(dir, bytes.subarray(off, Math.min(bytes.length, off + size)), meta(frame++));
  }
  return frame;
}

describe('tls stream handler', () => {
  it('reassembles a hello spanning records and segments, then the ServerHello', () => {
    const sink = new CollectingSink();
    const h = tlsProtocol.open(conv, sink);
    const client = records(22, helloMsg, 512);
    const frame = feed(h, 0, client, 100, 4);
    expect(sink.tlsRecords).toHaveLength(0);
    // Server flight: ServerHello, CCS, then encrypted data that must not be buffered.
    const server = Buffer.concat([records(22, serverMsg, 16384, 0x0303), records(20, Buffer.from([1])), records(23, Buffer.alloc(3000, 9))]);
    feed(h, 1, server, 1400, frame);
    expect(sink.tlsRecords).toHaveLength(1);
    h.end();
    expect(sink.tlsRecords).toHaveLength(1);
    const r = sink.tlsRecords[0];
    expect(r).toMatchObject({
      input: 7, frame: 4, ts: 1_700_000_004_000_005_000n, srcIp: '10.0.0.1', srcPort: 50000, dstIp: '192.0.2.9', dstPort: 443,
      transport: 'tcp', sni: 'lh3.example.com', alpn: ['h2', 'http/1.1'], versions: [0x0304, 0x0303], legacyVersion: 0x0303,
      ciphers: [0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b], quicVersion: null, serverVersion: 0x0304, serverCipher: 0x1302,
    });
    expect(r.extensions).toEqual([0x0000, 0x0010, 0x002b, 0x000d, 0x0033]);
    expect(r.ja4).toMatch(/^t13d0405h2_[0-9a-f]{12}_[0-9a-f]{12}$/);
    // The ServerHello record starts in the first server chunk.
    expect(r.serverFrame).toBe(4 + Math.ceil(client.length / 100));
    expect(sink.anomalyRecords).toEqual([]);
  });

  it('gives the same record whatever the segmentation (byte by byte, one chunk)', () => {
    const results = [1, 7, 1_000_000].map((size) => {
      const sink = new CollectingSink();
      const h = tlsProtocol.open(conv, sink);
      feed(h, 0, records(22, helloMsg, 300), size, 1);
      h.end();
      expect(sink.anomalyRecords).toEqual([]);
      return { ...sink.tlsRecords[0], frame: 0, ts: 0n };
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[0]).toEqual(results[2]);
    expect(results[0].serverVersion).toBeNull();
  });

  it('stamps the record with the frame of the first header byte even when the header is split', () => {
    const sink = new CollectingSink();
    const h = tlsProtocol.open(conv, sink);
    const client = records(22, helloMsg);
    h.data(0, client.subarray(0, 2), meta(20));
    h.data(0, client.subarray(2), meta(21));
    h.end();
    expect(sink.tlsRecords[0]).toMatchObject({ frame: 20, ts: 1_700_000_020_000_005_000n });
  });

  it('emits at end() when the server never answers', () => {
    const sink = new CollectingSink();
    const h = tlsProtocol.open(conv, sink);
    feed(h, 0, records(22, helloMsg), 1460, 1);
    expect(sink.tlsRecords).toHaveLength(0);
    h.end();
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0].serverCipher).toBeNull();
  });

  it('reports a gap inside the hello, keeps what came before it, and stops reading that side', () => {
    const sink = new CollectingSink();
    const h = tlsProtocol.open(conv, sink);
    const client = records(22, helloMsg);
    h.data(0, client.subarray(0, 600), meta(1));
    h.data(0, client.subarray(900), meta(2, 300));
    h.data(1, records(22, serverMsg), meta(3));
    h.end();
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0]).toMatchObject({ frame: 1, sni: 'lh3.example.com', serverCipher: 0x1302 });
    expect(sink.anomalyRecords.map((a) => [a.frame, a.layer])).toEqual([[1, 'tls'], [2, 'tls']]);
    expect(sink.anomalyRecords[0].error).toMatch(/ClientHello cut short \(591 of \d+ bytes\)/);
    expect(sink.anomalyRecords[1].error).toMatch(/300 bytes missing in the client TLS handshake; ClientHello read up to the gap/);
  });

  it('records the hello when the gap is in the server direction', () => {
    const sink = new CollectingSink();
    const h = tlsProtocol.open(conv, sink);
    h.data(0, records(22, helloMsg), meta(1));
    const server = records(22, serverMsg);
    h.data(1, server.subarray(0, 20), meta(2));
    h.data(1, server.subarray(40), meta(3, 20));
    h.end();
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0].serverCipher).toBeNull();
    expect(sink.anomalyRecords[0].error).toMatch(/server TLS handshake; hello not read/);
  });

  it('keeps a hello cut short by the end of the capture, with an anomaly', () => {
    const sink = new CollectingSink();
    const h = tlsProtocol.open(conv, sink);
    const client = records(22, helloMsg);
    // Enough for SNI (first extension) but not for the whole hello.
    h.data(0, client.subarray(0, 200), meta(1));
    h.end();
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0].sni).toBe('lh3.example.com');
    expect(sink.anomalyRecords[0].error).toMatch(/cut short/);
  });

  it('skips a plaintext preamble (STARTTLS) before the first record', () => {
    const sink = new CollectingSink();
    const h = tlsProtocol.open({ ...conv, serverPort: 6667 }, sink);
    h.data(0, Buffer.from('STARTTLS\r\n'), meta(4));
    h.data(1, Buffer.from(':irc.example.net 670 nick :STARTTLS successful, go ahead with TLS handshake\r\n'), meta(6));
    h.data(0, records(22, helloMsg), meta(8));
    h.data(1, records(22, serverMsg), meta(10));
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0]).toMatchObject({ frame: 8, serverFrame: 10, serverCipher: 0x1302 });
  });

  it('does not let a short plaintext reply swallow the first bytes of the next record', () => {
    const sink = new CollectingSink();
    const h = tlsProtocol.open({ ...conv, serverPort: 110 }, sink);
    h.data(0, Buffer.from('STLS'), meta(1));
    h.data(1, Buffer.from('+OK'), meta(2));
    h.data(0, records(22, helloMsg), meta(3));
    h.data(1, records(22, serverMsg), meta(4));
    expect(sink.tlsRecords).toHaveLength(1);
    expect(sink.tlsRecords[0]).toMatchObject({ frame: 3, serverFrame: 4 });
  });

  it('notes an SSLv2-compatible hello and does not record it', () => {
    const sink = new CollectingSink();
    const h = tlsProtocol.open(conv, sink);
    // SSL 2.0 CLIENT-HELLO: length 0x802e, type 1, version 3.1, then cipher specs etc.
    h.data(0, Buffer.from('802e0103010015000000100700c00500800300800100800600400400800200800a0b0c0d0e0f10111213141516', 'hex'), meta(1));
    h.end();
    expect(sink.tlsRecords).toEqual([]);
    expect(sink.anomalyRecords.map((a) => a.error)).toEqual(['SSLv2-compatible ClientHello ignored']);
  });

  it('gives up on garbage after a valid record without throwing', () => {
    const sink = new CollectingSink();
    const h = tlsProtocol.open(conv, sink);
    const client = records(22, helloMsg.subarray(0, 100));
    h.data(0, Buffer.concat([client, Buffer.from('GET / HTTP/1.1\r\n\r\n')]), meta(1));
    h.end();
    expect(sink.anomalyRecords[0].error).toMatch(/not a TLS record header/);
  });
});

describe('looksLikeTlsHello', () => {
  it('accepts a ClientHello record for dir 0 and a ServerHello for dir 1 only', () => {
    expect(looksLikeTlsHello(records(22, helloMsg), 0)).toBe(true);
    expect(looksLikeTlsHello(records(22, helloMsg), 1)).toBe(false);
    expect(looksLikeTlsHello(records(22, serverMsg, 16384, 0x0303), 1)).toBe(true);
    expect(looksLikeTlsHello(records(22, serverMsg), 0)).toBe(false);
  });

  it('rejects near misses', () => {
    const good = records(22, helloMsg);
    const bad = (i: number, v: number): Buffer => { const b = Buffer.from(good); b[i] = v; return b; };
    expect(looksLikeTlsHello(bad(0, 23), 0)).toBe(false); // application data
    expect(looksLikeTlsHello(bad(1, 2), 0)).toBe(false); // version 2.x
    expect(looksLikeTlsHello(bad(2, 5), 0)).toBe(false); // version 3.5
    expect(looksLikeTlsHello(bad(3, 0x60), 0)).toBe(false); // record longer than 2^14 + 2048
    expect(looksLikeTlsHello(Buffer.from('GET / HTTP/1.1\r\n'), 0)).toBe(false);
    expect(looksLikeTlsHello(good.subarray(0, 5), 0)).toBe(false);
  });
});
