import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MIN_COMPRESS, decodeBody, encodeBody } from '../../../electron/engine/store/body-codec.ts';

const form = (n: number): Buffer => Buffer.from('crc=1&gzip=1&data_list=eyJ1cmwiOiJodHRwczovL2V4YW1wbGUuY29tLyJ9&q=shoes'.repeat(Math.ceil(n / 70)).slice(0, n));

describe('body codec', () => {
  it('keeps bodies under the threshold raw, and compresses text above it', () => {
    const small = form(MIN_COMPRESS - 1);
    expect(encodeBody(small)).toStrictEqual({ codec: 'raw', data: small });
    const text = form(MIN_COMPRESS * 4);
    const enc = encodeBody(text);
    expect(enc.codec).toBe('br');
    expect(enc.data.length).toBeLessThan(text.length / 4);
    expect(decodeBody(enc.codec, enc.data).equals(text)).toBe(true);
  });

  it('stores random (already compressed, encrypted) bodies raw without trying to compress them', () => {
    const noise = randomBytes(256 * 1024);
    expect(encodeBody(noise)).toStrictEqual({ codec: 'raw', data: noise });
  });

  it('judges a large body by its middle: a text header in front of media does not make it compressible', () => {
    const media = Buffer.concat([form(4096), randomBytes(200 * 1024)]);
    expect(encodeBody(media).codec).toBe('raw');
    // The other way round: text whose middle is text is compressed even after a random start.
    const mostlyText = Buffer.concat([randomBytes(2048), form(64 * 1024)]);
    const enc = encodeBody(mostlyText);
    expect(enc.codec).toBe('br');
    expect(decodeBody(enc.codec, enc.data).equals(mostlyText)).toBe(true);
  });

  it('a body between the threshold and the sampling size that does not shrink is kept raw', () => {
    const noise = randomBytes(MIN_COMPRESS * 2);
    expect(encodeBody(noise)).toStrictEqual({ codec: 'raw', data: noise });
  });
});
