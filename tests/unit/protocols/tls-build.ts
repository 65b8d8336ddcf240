/**
 * Test helpers that build TLS handshake messages byte by byte, so the tests know
 * every value in them independently of the parser under test.
 */

export function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

export function u24(v: number): Buffer {
  return Buffer.from([(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]);
}

/** A vector with a 1-, 2- or 3-byte length prefix. */
export function vec(lenBytes: 1 | 2 | 3, body: Buffer): Buffer {
  const len = lenBytes === 1 ? Buffer.from([body.length]) : lenBytes === 2 ? u16(body.length) : u24(body.length);
  return Buffer.concat([len, body]);
}

export function u16s(values: number[]): Buffer {
  return Buffer.concat(values.map(u16));
}

export type Ext = [type: number, data: Buffer];

export function extSni(host: string): Ext {
  return [0x0000, vec(2, Buffer.concat([Buffer.from([0]), vec(2, Buffer.from(host, 'latin1'))]))];
}

export function extAlpn(protocols: Array<string | Buffer>): Ext {
  return [0x0010, vec(2, Buffer.concat(protocols.map((p) => vec(1, typeof p === 'string' ? Buffer.from(p, 'latin1') : p))))];
}

export function extSupportedVersions(versions: number[]): Ext {
  return [0x002b, vec(1, u16s(versions))];
}

export function extSigAlgs(algs: number[]): Ext {
  return [0x000d, vec(2, u16s(algs))];
}

export function extGroups(groups: number[]): Ext {
  return [0x000a, vec(2, u16s(groups))];
}

/** An extension whose content the tests do not care about. */
export function extOpaque(type: number, len = 0): Ext {
  return [type, Buffer.alloc(len, 0x11)];
}

export interface HelloSpec {
  legacyVersion?: number;
  ciphers: number[];
  extensions: Ext[];
  sessionId?: Buffer;
}

/** ClientHello body (no handshake header). */
export function clientHelloBody(spec: HelloSpec): Buffer {
  const parts = [
    u16(spec.legacyVersion ?? 0x0303),
    Buffer.alloc(32, 0xab),
    vec(1, spec.sessionId ?? Buffer.alloc(0)),
    vec(2, u16s(spec.ciphers)),
    vec(1, Buffer.from([0])),
  ];
  if (spec.extensions.length > 0) {
    parts.push(vec(2, Buffer.concat(spec.extensions.map(([t, d]) => Buffer.concat([u16(t), vec(2, d)])))));
  }
  return Buffer.concat(parts);
}

/** ServerHello body (no handshake header). */
export function serverHelloBody(cipher: number, extensions: Ext[], legacyVersion = 0x0303): Buffer {
  return Buffer.concat([
    u16(legacyVersion),
    Buffer.alloc(32, 0xcd),
    vec(1, Buffer.alloc(0)),
    u16(cipher),
    Buffer.from([0]),
    vec(2, Buffer.concat(extensions.map(([t, d]) => Buffer.concat([u16(t), vec(2, d)])))),
  ]);
}

/** Handshake message: type, 3-byte length, body. */
export function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

/** Split `data` into TLS records of at most `max` bytes of the given content type. */
export function records(type: number, data: Buffer, max = 16384, version = 0x0301): Buffer {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += max) {
    const frag = data.subarray(off, Math.min(data.length, off + max));
    out.push(Buffer.concat([Buffer.from([type]), u16(version), u16(frag.length), frag]));
  }
  return Buffer.concat(out);
}
