/**
 * The rule under test: a value is decoded only when the decoding is evidently right.
 * Guessed encodings (base64, hex, headerless compression, protobuf) must pass cheap
 * tests on the text itself, and then what comes out must decode further (a codec
 * header, a protobuf message with a real string, JSON) or read as text that a program
 * wrote (clean UTF-8 in one script; short strings mostly letters and digits). Plain
 * words, colours, numbers, hashes, UUIDs and prose therefore stay leaves, unchanged.
 */
import { describe, expect, it } from 'vitest';
import { decodePayload } from '../../../electron/engine/decode/decode-tree.ts';
import { seededBytes } from './helpers.ts';

function expectUndecoded(values: string[]): void {
  for (const v of values) {
    const r = decodePayload(v);
    expect({ v, children: r.root.children.length, kind: r.root.kind }).toEqual({ v, children: 0, kind: 'text' });
    expect(r.leaves()).toEqual([{ chain: '', steps: [], key: null, value: v }]);
  }
}

const PROSE =
  'Researchers showed that the browser sent every visited address and every search to ' +
  'analytics servers abroad, including in private mode; regulators asked the manufacturer ' +
  'for explanations while journalists documented how the telemetry worked internally';

describe('false positives: ordinary values are not decoded into garbage', () => {
  it('leaves English words, capitalised and camelCase identifiers alone', () => {
    const words = [
      ...PROSE.split(/[\s,;]+/).filter((w) => w.length > 0),
      'internationalization', 'responsibilities', 'characteristically', 'Internationalization',
      'Mississippi', 'getElementsByTagName', 'addEventListener', 'XMLHttpRequest', 'ANDROIDVERSION',
      'documentation', 'Administrator', 'privacyPolicyAccepted', 'telemetry_enabled', 'user-agent-string',
      'close-quotes', 'abcdefghijklmnop', 'Basketball', 'deadbeefcafebabe',
    ];
    expectUndecoded(words);
  });

  it('leaves prose, a sentence with "=" and text that only starts like JSON alone', () => {
    expectUndecoded([PROSE, 'x = 1 is not a form', '[2024-01-01] started', '{not json at all', 'while(1) loop']);
  });

  it('leaves hex-looking colours, hashes and device IDs alone', () => {
    expectUndecoded([
      'ff0000', '#ff0000', '00ff00aa', 'DEADBEEF', '#FFFFFF80',
      '9774d56d682e549c', // Android ID: 8 random bytes, not text
      'd41d8cd98f00b204e9800998ecf8427e', // MD5
      'da39a3ee5e6b4b0d3255bfef95601890afd80709', // SHA-1
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', // SHA-256
      'AbCdEf0123456789', // mixed-case: not what a hex encoder writes
    ]);
  });

  it('leaves numeric IDs, timestamps, UUIDs and versions alone', () => {
    expectUndecoded([
      '1234567890123456', '9007199254740993', '1700000000000', '356938035643809', '00000000',
      '3f2504e0-4f89-41d3-9a0c-0305e82c3301', '6F9619FF-8B86-D011-B42D-00C04FC964FF',
      '1.2.840.113549', '10.0.19045.3803', 'v2.3.1-beta+exp.sha.5114f85',
    ]);
  });

  it('decodes none of 4000 random tokens (base64 alphabet) and 4000 random hex IDs', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let decoded = 0;
    for (let i = 0; i < 4000; i++) {
      const bytes = seededBytes(i + 1, 12 + (i % 52));
      let tok = '';
      for (const b of bytes) tok += alphabet[b % alphabet.length];
      const hex = seededBytes(100_000 + i, 8 + (i % 25)).toString('hex');
      if (decodePayload(tok).root.children.length > 0) decoded++;
      if (decodePayload(hex).root.children.length > 0) decoded++;
    }
    expect(decoded).toBe(0);
  });

  it('still decodes real base64 and hex of short text', () => {
    expect(decodePayload(Buffer.from('asylum lawyer').toString('base64')).leaves().map((l) => l.value)).toContain('asylum lawyer');
    expect(decodePayload(Buffer.from('alice@example.com').toString('hex')).leaves().map((l) => l.value)).toContain('alice@example.com');
    // A short non-Latin search word in base64: "律师" (lawyer), six UTF-8 bytes.
    expect(decodePayload('q=' + encodeURIComponent(Buffer.from('律师事务所').toString('base64'))).leaves().map((l) => l.chain + '=' + l.value))
      .toContain('form:q → base64=律师事务所');
  });
});
