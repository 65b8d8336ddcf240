import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HeaderMemo } from '../../../electron/engine/findings/analysis.ts';
import { BoundedMemo, KeyedMemo } from '../../../electron/engine/findings/memo.ts';
import { decodeHeaderFields, decodeRequest, FieldMemo, type RequestInput } from '../../../electron/engine/findings/request-decode.ts';

const b64gz = (s: string): string => gzipSync(Buffer.from(s)).toString('base64');

/** Requests that repeat cookies, headers and query strings, with look-alike fields that must not share a memo entry. */
function requests(): RequestInput[] {
  const out: RequestInput[] = [];
  for (let i = 0; i < 12; i++) {
    out.push({
      uri: i % 3 === 0 ? '/collect?cid=1866496610.1510221160&t=pageview' : `/p/${i}?page=${i % 2}`,
      headers: [
        ['Host', 'a.example.com'],
        // An unnamed cookie (label '#2') next to a cookie named '#2': same prefix, different key.
        ['Cookie', i % 2 === 0 ? `sid=74f60cbd1681; x; data=${b64gz('{"device_id":"a1b2c3d4e5f6"}')}` : 'sid=74f60cbd1681; #2=x'],
        ['X-Device-Id', i % 4 === 0 ? '3b241101-e2bb-4255-8caf-4136c566a962' : 'abcdef0123456789'],
        ['Referer', 'https://www.example.org/search?q=hello+world'],
        ['Authorization', 'Bearer a.b.c'],
      ],
      body: i % 5 === 0 ? Buffer.from(`data_list=${encodeURIComponent(b64gz('{"imei":"490154203237518"}'))}&gzip=1`) : null,
    });
  }
  return out;
}

describe('FieldMemo', () => {
  it('gives every request the leaves and anomalies it gets without one', () => {
    const memo = new FieldMemo();
    for (const r of requests()) expect(decodeRequest(r, undefined, memo)).toEqual(decodeRequest(r));
  });

  it('keeps the limits it was used with: a tiny output budget gives the same anomalies every time', () => {
    const memo = new FieldMemo();
    const limits = { maxOutputBytes: 8 };
    for (const r of requests()) expect(decodeRequest(r, limits, memo)).toEqual(decodeRequest(r, limits));
  });

  it('gives the same leaves when the header fields are decoded once and handed in', () => {
    const memo = new FieldMemo();
    for (const r of requests()) {
      const fields = decodeHeaderFields(r.headers, undefined, memo);
      expect(fields.leaves.some((l) => l.where === 'cookie')).toBe(true);
      expect(decodeRequest(r, undefined, memo, fields)).toEqual(decodeRequest(r));
    }
  });
});

describe('BoundedMemo', () => {
  it('forgets everything once its keys pass the budget, and remembers again after', () => {
    const m = new BoundedMemo<number>(10);
    m.set('abcd', 1);
    m.set('efgh', 2);
    expect(m.get('abcd')).toBe(1);
    m.set('ijkl', 3); // 12 characters: over the budget of 10
    expect(m.get('abcd')).toBeUndefined();
    expect(m.get('efgh')).toBeUndefined();
    expect(m.get('ijkl')).toBe(3);
    m.set('x', 4, 100); // a weight over the whole budget still goes in, alone
    expect(m.get('ijkl')).toBeUndefined();
    expect(m.get('x')).toBe(4);
  });

  it('counts weight charged after the fact: the next entry starts over', () => {
    const m = new BoundedMemo<number>(10);
    m.set('ab', 1);
    m.charge(7); // 9 of 10
    expect(m.get('ab')).toBe(1);
    m.set('cd', 2); // 11: over
    expect(m.get('ab')).toBeUndefined();
    expect(m.get('cd')).toBe(2);
  });
});

describe('KeyedMemo', () => {
  it('keeps the group apart from the value: no two (group, value) pairs share an entry, null is a group of its own', () => {
    const m = new KeyedMemo<string>();
    m.set('ab', 'c', 'ab|c');
    m.set('a', 'bc', 'a|bc');
    m.set(null, 'abc', 'null|abc');
    m.set('', 'abc', '|abc');
    expect(m.get('ab', 'c')).toBe('ab|c');
    expect(m.get('a', 'bc')).toBe('a|bc');
    expect(m.get(null, 'abc')).toBe('null|abc');
    expect(m.get('', 'abc')).toBe('|abc');
    expect(m.get('abc', '')).toBeUndefined();
  });

  it('forgets every group once both keys pass the budget', () => {
    const m = new KeyedMemo<number>(10);
    m.set('k', 'abcd', 1); // 5
    m.set(null, 'efgh', 2); // 9
    expect(m.get('k', 'abcd')).toBe(1);
    m.set('k', 'xy', 3); // 12: over
    expect(m.get('k', 'abcd')).toBeUndefined();
    expect(m.get(null, 'efgh')).toBeUndefined();
    expect(m.get('k', 'xy')).toBe(3);
  });

  it('does not let header sets too large to remember use up the memory budget of the ones it keeps', () => {
    const memo = new HeaderMemo();
    const fields = new FieldMemo();
    const small = (i: number): string => JSON.stringify([['Host', 'a.example'], ['Cookie', `sid=abcdef${i}; uid=1234567890${i}`], ['User-Agent', 'UA']]);
    // A cookie jar of 20 kB: its header text is over the size the memo remembers.
    const jar = Array.from({ length: 400 }, (_, i) => `c${i}=${'v'.repeat(40)}${i}`).join('; ');
    const big = JSON.stringify([['Host', 'b.example'], ['Cookie', jar]]);
    const commons = Array.from({ length: 6 }, (_, i) => small(i));
    const kept = commons.map((t) => memo.of(t));
    for (const h of kept) memo.fields(h, undefined, fields);
    for (let k = 0; k < 120; k++) memo.fields(memo.of(big), undefined, fields);
    // New sets push the commons out of the few most recent; they must still be remembered.
    for (let i = 90; i < 95; i++) memo.of(small(i));
    expect(commons.map((t) => memo.of(t))).toEqual(kept);
    for (const [i, t] of commons.entries()) expect(memo.of(t)).toBe(kept[i]);
  });
});
