import { gzipSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { base64Variant } from '../../../electron/engine/decode/decoders/base64.ts';
import { decompress, sniffCodec } from '../../../electron/engine/decode/decoders/compression.ts';
import { hasPercentEscape, looksLikeForm, parseFormPairs, percentDecode } from '../../../electron/engine/decode/decoders/form.ts';
import { looksLikeHex } from '../../../electron/engine/decode/decoders/hex.ts';
import { jsonPathKey, jsonStart, scanJson } from '../../../electron/engine/decode/decoders/json.ts';
import { boundaryFromContentType, headerParam, parseMultipart } from '../../../electron/engine/decode/decoders/multipart.ts';
import { readProtobuf } from '../../../electron/engine/decode/decoders/protobuf.ts';
import { urlQuery } from '../../../electron/engine/decode/decoders/url.ts';
import { bytesAsText } from '../../../electron/engine/decode/text-check.ts';
import { pbString, pbVarint } from './helpers.ts';

describe('form and percent-encoding', () => {
  it('percent-decodes with "+" as space only in forms, keeping bad escapes', () => {
    expect(percentDecode('a+b%20c', true)).toBe('a b c');
    expect(percentDecode('a+b%20c', false)).toBe('a+b c');
    expect(percentDecode('%zz%4', true)).toBe('%zz%4');
    expect(percentDecode('%E2%82%AC', false)).toBe('€');
    expect(percentDecode('%FC', false)).toBe('ü'); // not UTF-8: read as Latin-1
    expect(hasPercentEscape('100% sure')).toBe(false);
    expect(hasPercentEscape('a%2Fb')).toBe(true);
  });

  it('tells forms from base64 padding, JSON and prose', () => {
    expect(looksLikeForm('a=1&b=2', false)).toBe(true);
    expect(looksLikeForm('q=asylum', false)).toBe(true);
    expect(looksLikeForm('flag&a=1', false)).toBe(true);
    expect(looksLikeForm('YWI=', false)).toBe(false);
    expect(looksLikeForm('YQ==', false)).toBe(false);
    expect(looksLikeForm('=x', false)).toBe(false);
    expect(looksLikeForm('{"a":"b=c"}', false)).toBe(false);
    expect(looksLikeForm('x = 1', false)).toBe(false);
    expect(looksLikeForm('q=asylum lawyer&x=1', true)).toBe(true); // declared form: raw spaces tolerated
  });

  it('splits pairs and caps their number', () => {
    expect(parseFormPairs('a=1&&b&c=x%3Dy', 10)).toEqual({ pairs: [['a', '1'], ['b', ''], ['c', 'x=y']], more: false });
    expect(parseFormPairs('a=1&b=2&c=3', 2)).toEqual({ pairs: [['a', '1'], ['b', '2']], more: true });
  });

  it('finds the query of URLs and paths only', () => {
    expect(urlQuery('https://x.example/p?a=1#frag')).toBe('a=1');
    expect(urlQuery('/collect?v=1')).toBe('v=1');
    expect(urlQuery('x.example/p?a=1')).toBeNull();
    expect(urlQuery('https://x.example/p')).toBeNull();
    expect(urlQuery('see https://x.example/?a=1')).toBeNull();
  });
});

describe('base64 and hex candidates', () => {
  it('applies the alphabet, padding and length rules', () => {
    expect(base64Variant('dGVzdA==')).toBe('base64');
    expect(base64Variant('aGVsbG8gd29ybGQ')).toBe('base64'); // unpadded, 15 chars
    expect(base64Variant('PDw_Pz4-Pj4-Pj4')).toBe('base64url');
    expect(base64Variant('PDw_Pz4-Pj4')).toBeNull(); // unpadded needs 12 characters
    expect(base64Variant('a+b_c-d/e012345')).toBeNull(); // both alphabets
    expect(base64Variant('abc=defgh')).toBeNull(); // '=' inside
    expect(base64Variant('aGVsbG8gd29ybG')).toBe('base64'); // length 14: mod 4 = 2 is fine
    expect(base64Variant('aGVsbG8gd29ybGQxM')).toBeNull(); // length 17: mod 4 = 1 never encodes
    expect(base64Variant('dGVzdA=')).toBeNull(); // padded, but length 7
    expect(base64Variant('internationalization')).toBeNull(); // lower case only
    expect(base64Variant('Internationalization')).toBeNull(); // capitalised word
    expect(base64Variant('12345678901234567890')).toBeNull(); // digits only
    expect(base64Variant('3f2504e0-4f89-41d3-9a0c-0305e82c3301')).toBeNull(); // UUID
  });

  it('applies the hex rules', () => {
    expect(looksLikeHex('68656c6c6f20776f726c64')).toBe(true);
    expect(looksLikeHex('68656C6C6F20776F726C64')).toBe(true);
    expect(looksLikeHex('68656C6c6F20776F726C64')).toBe(false); // mixed case
    expect(looksLikeHex('ff00ff')).toBe(false); // too short
    expect(looksLikeHex('3132333435363738')).toBe(false); // digits only: a number
    expect(looksLikeHex('68656c6c6f20776f726c6')).toBe(false); // odd length
  });
});

describe('text plausibility', () => {
  it('is strict on guessed decodings and loose on bodies', () => {
    expect(bytesAsText(Buffer.from('hello world, this is text'), 'decoded')).toBe('hello world, this is text');
    expect(bytesAsText(Buffer.from([0x68, 0x69, 0x01, 0x6a]), 'decoded')).toBeNull();
    expect(bytesAsText(Buffer.from('$%^&*()!'), 'decoded')).toBeNull(); // short and no letters
    expect(bytesAsText(Buffer.from('\u0640\u0301\uABA2x'), 'decoded')).toBeNull(); // mixed scripts
    expect(bytesAsText(Buffer.from('律师'), 'decoded')).toBe('律师');
    // A long body with one control character is still text; a cut UTF-8 tail is dropped.
    const body = Buffer.concat([Buffer.from('a'.repeat(100) + '\u0007' + 'b'.repeat(100)), Buffer.from('€').subarray(0, 2)]);
    expect(bytesAsText(body, 'loose')).toBe('a'.repeat(100) + '\u0007' + 'b'.repeat(100));
    expect(bytesAsText(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x61, 0x75, 0x20, 0x6c, 0x61, 0x69, 0x74, 0x20, 0x63, 0x68, 0x61, 0x75, 0x64]), 'loose')).toBe('café au lait chaud');
  });
});

describe('JSON scanning', () => {
  it('finds the start after BOM and XSSI prefixes', () => {
    expect(jsonStart('  {"a":1}')).toBe(2);
    expect(jsonStart(")]}',\n[1]")).toBe(6);
    expect(jsonStart('for(;;);{"a":1}')).toBe(8);
    expect(jsonStart('hello')).toBe(-1);
  });

  it('checks depth and balance without parsing, and splits JSON lines', () => {
    expect(scanJson('[[[1]]]', 0, 2, 10)).toEqual({ ok: false, tooDeep: true });
    expect(scanJson('[[[1]]]', 0, 3, 10)).toEqual({ ok: true, docs: [[0, 7]], bigNumbers: false });
    expect(scanJson('{"a":"]}"}', 0, 3, 10)).toEqual({ ok: true, docs: [[0, 10]], bigNumbers: false });
    expect(scanJson('{"a":1}\n{"b":12345678901234567}', 0, 3, 10)).toEqual({ ok: true, docs: [[0, 7], [8, 31]], bigNumbers: true });
    expect(scanJson('{"a":1} trailing', 0, 3, 10)).toEqual({ ok: false, tooDeep: false });
    expect(scanJson('{"a":"unterminated}', 0, 3, 10)).toEqual({ ok: false, tooDeep: false });
  });

  it('writes JSONPath keys', () => {
    expect(jsonPathKey('$', 'url')).toBe('$.url');
    expect(jsonPathKey('$', '$device_id')).toBe('$.$device_id');
    expect(jsonPathKey('$', "it's a key")).toBe("$['it\\'s a key']");
    expect(jsonPathKey('$', '0day')).toBe("$['0day']");
  });
});

describe('protobuf strictness', () => {
  it('accepts a well-formed message and rejects near misses', () => {
    const good = Buffer.from(pbString(1, 'hello'));
    expect(readProtobuf(good, 8, 100)?.fields).toEqual([{ t: 'string', no: 1, text: 'hello' }]);
    expect(readProtobuf(Buffer.from([0x08, 0x80, 0x00]), 8, 100)).toBeNull(); // overlong varint
    expect(readProtobuf(Buffer.from([0x0b, 0x08, 0x01, 0x0c]), 8, 100)).toBeNull(); // group (wire type 3)
    expect(readProtobuf(Buffer.from([0x0a, 0x06, 0x61, 0x62]), 8, 100)).toBeNull(); // length past the end
    expect(readProtobuf(Buffer.from([...pbString(1, 'hello'), 0x08]), 8, 100)).toBeNull(); // trailing tag
    expect(readProtobuf(Buffer.from(pbVarint(19000, 1)), 8, 100)).toBeNull(); // 19000-19999 are reserved
    expect(readProtobuf(Buffer.from(pbVarint(18999, 1)), 8, 100)?.fields).toEqual([{ t: 'varint', no: 18999, text: '1' }]);
    expect(readProtobuf(Buffer.from([0x00, 0x01]), 8, 100)).toBeNull(); // field 0
  });

  it('reads a 10-byte varint as an unsigned 64-bit number', () => {
    const minusOne = Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(readProtobuf(minusOne, 8, 100)?.fields).toEqual([{ t: 'varint', no: 1, text: '18446744073709551615' }]);
  });
});

describe('multipart headers', () => {
  it('reads quoted and bare parameters', () => {
    expect(headerParam('form-data; name="a b"; filename="x\\"y.png"', 'filename')).toBe('x"y.png');
    expect(headerParam('form-data; filename="f.txt"; name=field', 'name')).toBe('field');
    expect(boundaryFromContentType('multipart/form-data; boundary="AbC"')).toBe('AbC');
    expect(boundaryFromContentType('application/json')).toBeNull();
  });

  it('accepts LF line ends and a body cut before the closing delimiter', () => {
    const body = Buffer.from('--b1\nContent-Disposition: form-data; name="x"\n\nvalue one\n--b1\nContent-Disposition: form-data; name="y"\n\ncut here');
    const mp = parseMultipart(body, 'b1', 10);
    expect(mp?.parts.map((p) => [p.name, p.body.toString()])).toEqual([['x', 'value one'], ['y', 'cut here']]);
  });
});

describe('compression', () => {
  it('sniffs gzip and zlib headers and caps output', () => {
    const data = Buffer.from('x'.repeat(10_000));
    expect(sniffCodec(gzipSync(data))).toBe('gzip');
    expect(sniffCodec(deflateSync(data))).toBe('zlib');
    expect(sniffCodec(Buffer.from('hello world'))).toBeNull();
    expect(decompress('gzip', gzipSync(data), 100, true)).toEqual({ ok: false, tooLarge: true, error: 'output over cap' });
    const ok = decompress('gzip', gzipSync(data), 10_000, true);
    expect(ok.ok && ok.bytes.equals(data)).toBe(true);
  });
});
