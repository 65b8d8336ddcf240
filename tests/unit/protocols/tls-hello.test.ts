/** ClientHello / ServerHello parsing on hellos built byte by byte in the test. */
import { describe, expect, it } from 'vitest';
import {
  isGrease, offeredVersions, parseClientHello, parseServerHello,
} from '../../../electron/engine/protocols/tls-hello.ts';
import {
  clientHelloBody, extAlpn, extGroups, extOpaque, extSigAlgs, extSni, extSupportedVersions, serverHelloBody, u16,
  vec,
} from './tls-build.ts';

const spec = {
  legacyVersion: 0x0303,
  sessionId: Buffer.alloc(32, 7),
  ciphers: [0x4a4a, 0x1301, 0x1302, 0xc02b],
  extensions: [
    extOpaque(0x9a9a),
    extSni('www.example.org'),
    extGroups([0x1a1a, 0x11ec, 0x001d, 0x0017]),
    extAlpn(['h2', 'http/1.1']),
    extSigAlgs([0x0403, 0x0804, 0x0401]),
    extSupportedVersions([0x6a6a, 0x0304, 0x0303]),
    extOpaque(0x0015, 40),
  ],
};

describe('parseClientHello', () => {
  it('reads every field in wire order', () => {
    const h = parseClientHello(clientHelloBody(spec));
    expect(h.error).toBeNull();
    expect(h.legacyVersion).toBe(0x0303);
    expect(h.random).toEqual(Buffer.alloc(32, 0xab));
    expect(h.ciphers).toEqual([0x4a4a, 0x1301, 0x1302, 0xc02b]);
    expect(h.extensions).toEqual([0x9a9a, 0x0000, 0x000a, 0x0010, 0x000d, 0x002b, 0x0015]);
    expect(h.sni).toBe('www.example.org');
    expect(h.alpn).toEqual(['h2', 'http/1.1']);
    expect(h.alpnFirst).toEqual(Buffer.from('h2'));
    expect(h.supportedGroups).toEqual([0x1a1a, 0x11ec, 0x001d, 0x0017]);
    expect(h.signatureAlgorithms).toEqual([0x0403, 0x0804, 0x0401]);
    expect(h.supportedVersions).toEqual([0x6a6a, 0x0304, 0x0303]);
    expect(offeredVersions(h)).toEqual([0x0304, 0x0303]);
  });

  it('accepts a hello without extensions and offers its legacy version', () => {
    const h = parseClientHello(clientHelloBody({ legacyVersion: 0x0300, ciphers: [0x000a], extensions: [] }));
    expect(h.error).toBeNull();
    expect(h.extensions).toEqual([]);
    expect(offeredVersions(h)).toEqual([0x0300]);
  });

  it('returns what it read, with an error, for every truncation of a hello', () => {
    const body = clientHelloBody(spec);
    const sniEnd = body.indexOf(Buffer.from('www.example.org')) + 'www.example.org'.length;
    // A cut right after compression_methods is a valid extension-less hello: nothing to report there.
    const noExtensions = 2 + 32 + 1 + 32 + 2 + 2 * spec.ciphers.length + 2;
    for (let cut = 0; cut < body.length; cut++) {
      const h = parseClientHello(body.subarray(0, cut));
      if (cut !== noExtensions) expect(h.error, `cut at ${cut}`).not.toBeNull();
      if (cut >= sniEnd) expect(h.sni).toBe('www.example.org');
      if (cut >= 2) expect(h.legacyVersion).toBe(0x0303);
    }
  });

  it('reports an extension that overruns the hello', () => {
    const body = clientHelloBody({ ciphers: [0x1301], extensions: [extSni('a.example')] });
    // Claim 200 bytes for the SNI extension data while keeping the outer lengths.
    const at = body.length - extSni('a.example')[1].length - 2;
    body.writeUInt16BE(200, at);
    const h = parseClientHello(body);
    expect(h.extensions).toEqual([0x0000]);
    expect(h.sni).toBeNull();
    expect(h.error).toMatch(/overruns/);
  });

  it('keeps the raw bytes of a non-text first ALPN value', () => {
    const h = parseClientHello(clientHelloBody({ ciphers: [0x1301], extensions: [extAlpn([Buffer.from([0x30, 0xab])])] }));
    expect(h.alpnFirst).toEqual(Buffer.from([0x30, 0xab]));
  });
});

describe('parseServerHello', () => {
  it('reads the cipher and the selected version', () => {
    const s = parseServerHello(serverHelloBody(0x1302, [[0x002b, u16(0x0304)], [0x0033, Buffer.alloc(36)]]));
    expect(s.error).toBeNull();
    expect(s.cipher).toBe(0x1302);
    expect(s.selectedVersion).toBe(0x0304);
    expect(s.extensions).toEqual([0x002b, 0x0033]);
    expect(s.helloRetryRequest).toBe(false);
  });

  it('reads the ALPN a TLS 1.2 server picked', () => {
    const s = parseServerHello(serverHelloBody(0xc02f, [[0xff01, Buffer.from([0])], [0x0010, vec(2, vec(1, Buffer.from('h2')))]]));
    expect(s.selectedVersion).toBeNull();
    expect(s.alpn).toBe('h2');
    expect(s.cipher).toBe(0xc02f);
  });

  it('recognises a HelloRetryRequest by its random (RFC 8446 §4.1.3)', () => {
    const body = serverHelloBody(0x1301, [[0x002b, u16(0x0304)]]);
    Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex').copy(body, 2);
    expect(parseServerHello(body).helloRetryRequest).toBe(true);
  });

  it('never throws on truncation', () => {
    const body = serverHelloBody(0x1301, [[0x002b, u16(0x0304)]]);
    const noExtensions = 2 + 32 + 1 + 2 + 1;
    for (let cut = 0; cut < body.length; cut++) {
      const s = parseServerHello(body.subarray(0, cut));
      if (cut !== noExtensions) expect(s.error, `cut at ${cut}`).not.toBeNull();
    }
  });
});

describe('isGrease', () => {
  it('knows exactly the 16 RFC 8701 values', () => {
    const all: number[] = [];
    for (let v = 0; v < 0x10000; v++) if (isGrease(v)) all.push(v);
    expect(all).toEqual(Array.from({ length: 16 }, (_, i) => (i * 0x10 + 0x0a) * 0x101));
  });
});
