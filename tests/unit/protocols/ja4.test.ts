/**
 * JA4 against values published with their raw inputs:
 *  - FoxIO's own worked example in technical_details/JA4.md (ja4, ja4_r and ja4_ro given);
 *  - a Chrome 143 hello as reported by browserleaks.com (ja4 plus ja4_ro, i.e. the lists
 *    in wire order), quoted in the public repository service0427/v2_cp_app (tls.md);
 *  - the spec's ALPN hex-rule examples and its no-signature-algorithms hash.
 * Each hello is built byte by byte from those lists; GREASE values are added on purpose,
 * since the published fingerprints are defined with GREASE ignored.
 */
import { describe, expect, it } from 'vitest';
import { parseClientHello } from '../../../electron/engine/protocols/tls-hello.ts';
import { ja4, ja4AlpnMark } from '../../../electron/engine/protocols/tls-ja4.ts';
import {
  clientHelloBody, extAlpn, extOpaque, extSigAlgs, extSni, extSupportedVersions, type Ext,
} from './tls-build.ts';

function hexList(s: string): number[] {
  return s.split(',').map((h) => parseInt(h, 16));
}

/** Extensions in the given wire order; SNI, ALPN, supported_versions and sigalgs get real contents. */
function buildExtensions(order: number[], alpn: string[], sigalgs: number[]): Ext[] {
  return order.map((t): Ext => {
    switch (t) {
      case 0x0000: return extSni('example.com');
      case 0x0010: return extAlpn(alpn);
      case 0x002b: return extSupportedVersions([0x3a3a, 0x0304, 0x0303]);
      case 0x000d: return extSigAlgs(sigalgs);
      default: return extOpaque(t, 2);
    }
  });
}

describe('JA4', () => {
  it("matches FoxIO's worked example (JA4.md)", () => {
    const ciphers = hexList('1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035');
    const exts = hexList('001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015');
    const sigs = hexList('0403,0804,0401,0503,0805,0501,0806,0601');
    const extensions = buildExtensions(exts, ['h2', 'http/1.1'], sigs);
    // GREASE in front of ciphers and extensions, as Chrome sends them.
    extensions.unshift(extOpaque(0x2a2a, 0));
    extensions.push(extOpaque(0xfafa, 1));
    const hello = parseClientHello(clientHelloBody({ ciphers: [0x0a0a, ...ciphers], extensions }));
    expect(hello.error).toBeNull();
    expect(ja4(hello, 't')).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('matches browserleaks.com for Chrome 143 (ja4 and ja4_ro published together)', () => {
    const ciphers = hexList('1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035');
    const exts = hexList('002d,0033,0010,fe0d,0017,44cd,0000,000b,000a,002b,ff01,0023,0012,0005,000d,001b');
    const sigs = hexList('0403,0804,0401,0503,0805,0501,0806,0601');
    const extensions = buildExtensions(exts, ['h2', 'http/1.1'], [0x5a5a, ...sigs]);
    extensions.unshift(extOpaque(0xdada, 0));
    const hello = parseClientHello(clientHelloBody({ ciphers: [0x8a8a, ...ciphers], extensions }));
    expect(ja4(hello, 't')).toBe('t13d1516h2_8daaf6152771_d8a2da3f94cd');
    // Same hello over QUIC only changes the first character.
    expect(ja4(hello, 'q')).toBe('q13d1516h2_8daaf6152771_d8a2da3f94cd');
  });

  it('hashes the extension list alone when no signature algorithms are offered (JA4.md: 6d807ffa2a79)', () => {
    const exts = hexList('001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015');
    const hello = parseClientHello(clientHelloBody({ ciphers: [0x1301], extensions: buildExtensions(exts, ['h2'], []) }));
    expect(hello.signatureAlgorithms).toEqual([]);
    expect(ja4(hello, 't').split('_')[2]).toBe('6d807ffa2a79');
  });

  it('follows the ALPN hex rule of the spec', () => {
    expect(ja4AlpnMark(Buffer.from([0xab]))).toBe('ab');
    expect(ja4AlpnMark(Buffer.from([0xab, 0xcd]))).toBe('ad');
    expect(ja4AlpnMark(Buffer.from([0x30, 0xab]))).toBe('3b');
    expect(ja4AlpnMark(Buffer.from([0x30, 0x31, 0xab, 0xcd]))).toBe('3d');
    expect(ja4AlpnMark(Buffer.from([0x30, 0xab, 0xcd, 0x31]))).toBe('01');
    expect(ja4AlpnMark(Buffer.from('http/1.1'))).toBe('h1');
    expect(ja4AlpnMark(Buffer.from('h'))).toBe('hh');
    expect(ja4AlpnMark(null)).toBe('00');
    expect(ja4AlpnMark(Buffer.alloc(0))).toBe('00');
  });

  it('writes 000000000000 for empty lists, i for no SNI, the legacy version without supported_versions', () => {
    // Hand-computed: TLS 1.0 legacy version, no SNI, 0 ciphers, 0 extensions, no ALPN.
    const hello = parseClientHello(clientHelloBody({ legacyVersion: 0x0301, ciphers: [], extensions: [] }));
    expect(ja4(hello, 't')).toBe('t10i000000_000000000000_000000000000');
    // Only SNI and ALPN: both counted in a, both excluded from c, which is then empty.
    const two = parseClientHello(clientHelloBody({ ciphers: [0x0a0a], extensions: [extSni('a.b'), extAlpn(['h3'])] }));
    expect(ja4(two, 'q')).toBe('q12d0002h3_000000000000_000000000000');
  });

  it('caps the counts at 99 and maps unknown versions to 00', () => {
    const ciphers = Array.from({ length: 120 }, (_, i) => 0x0100 + i);
    const extensions = Array.from({ length: 105 }, (_, i) => extOpaque(0x0100 + i));
    const hello = parseClientHello(clientHelloBody({ legacyVersion: 0x7f1c, ciphers, extensions }));
    expect(ja4(hello, 't').slice(0, 10)).toBe('t00i999900');
  });
});
