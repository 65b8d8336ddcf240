import { describe, expect, it } from 'vitest';
import { FlowEntry, FlowTable, type FlowKeyInput } from '../../../electron/engine/dissect/flow-table.ts';

class Entry extends FlowEntry {
  readonly id: string;
  constructor(id: string) {
    super();
    this.id = id;
  }
}

function v4(src: number, dst: number): FlowKeyInput {
  return { version: 4, addrBuf: Buffer.alloc(0), srcOff: 0, dstOff: 0, src4: src >>> 0, dst4: dst >>> 0, srcLow: false };
}

function v6(src: string, dst: string): FlowKeyInput {
  const b = Buffer.alloc(32);
  Buffer.from(src, 'hex').copy(b, 0);
  Buffer.from(dst, 'hex').copy(b, 16);
  return { version: 6, addrBuf: b, srcOff: 0, dstOff: 16, src4: 0, dst4: 0, srcLow: false };
}

/** A deterministic pseudo-random sequence (the test must give the same run every time). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
}

describe('flow table', () => {
  it('finds a flow from both directions and tells which side sorts first', () => {
    const t = new FlowTable<Entry>();
    const out = v4(0x0a000002, 0x5db8d822);
    expect(t.find(out, 40000, 443)).toBeUndefined();
    const e = new Entry('a');
    t.add(e, 0, 1);
    expect(out.srcLow).toBe(true);
    const back = v4(0x5db8d822, 0x0a000002);
    expect(t.find(back, 443, 40000)).toBe(e);
    expect(back.srcLow).toBe(false);
    // Same addresses, other ports: another flow.
    expect(t.find(v4(0x0a000002, 0x5db8d822), 40001, 443)).toBeUndefined();
    // Same host talking to itself: ports decide.
    const self = v4(0x7f000001, 0x7f000001);
    expect(t.find(self, 5000, 80)).toBeUndefined();
    t.add(new Entry('self'), 0, 1);
    expect(t.find(v4(0x7f000001, 0x7f000001), 80, 5000)?.id).toBe('self');
    expect(t.size).toBe(2);
  });

  it('keeps IPv6 flows apart from IPv4 ones', () => {
    const t = new FlowTable<Entry>();
    const a = '20010db8000000000000000000000001';
    const b = '20010db8000000000000000000000002';
    expect(t.find(v6(a, b), 1000, 53)).toBeUndefined();
    const e = new Entry('v6');
    t.add(e, 0, 1);
    expect(t.find(v6(b, a), 53, 1000)).toBe(e);
    t.remove(e);
    expect(t.find(v6(a, b), 1000, 53)).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('agrees with a plain Map through many inserts and removals (growth and backward-shift deletion)', () => {
    const t = new FlowTable<Entry>();
    const ref = new Map<string, Entry>();
    const next = lcg(7);
    // Few distinct addresses and ports, so keys collide in the hash table's neighbourhoods.
    const key = (): [number, number, number, number] => [0x0a000000 + (next() % 64), 0xc0a80000 + (next() % 64), 1 + (next() % 50), 80 + (next() % 3)];
    const norm = (a: number, b: number, sp: number, dp: number): string => (a < b || (a === b && sp <= dp) ? `${a}/${b}/${sp}/${dp}` : `${b}/${a}/${dp}/${sp}`);
    for (let step = 0; step < 40_000; step++) {
      const [a, b, sp, dp] = key();
      const k = norm(a, b, sp, dp);
      const found = t.find(v4(a, b), sp, dp);
      expect(found).toBe(ref.get(k));
      if (found === undefined) {
        if (next() % 3 !== 0) {
          const e = new Entry(k);
          t.add(e, next() % 2, step);
          ref.set(k, e);
        }
      } else if (next() % 2 === 0) {
        t.remove(found);
        ref.delete(k);
      }
      expect(t.size).toBe(ref.size);
    }
    expect(ref.size).toBeGreaterThan(1000);
    for (const [k, e] of ref) {
      const [a, b, sp, dp] = k.split('/').map(Number);
      expect(t.find(v4(b, a), dp, sp)).toBe(e);
    }
  });

  it('agrees with a plain Map for IPv6 flows too, mixed with IPv4 ones', () => {
    const t = new FlowTable<Entry>();
    const ref = new Map<string, Entry>();
    const next = lcg(11);
    // The high bits: an LCG's low bits repeat with short periods.
    const pick = (n: number): number => (next() >>> 12) % n;
    // Addresses that differ in one byte anywhere (first, middle or last word), so the order rule and
    // every key word are exercised, and few of them, so slots collide.
    const addr = (): string => {
      const b = Buffer.from('20010db8000000000000000000000000', 'hex');
      b[pick(16)] = pick(4);
      return b.toString('hex');
    };
    const norm = (a: string, b: string, sp: number, dp: number): string => (a < b || (a === b && sp <= dp) ? `${a}/${b}/${sp}/${dp}` : `${b}/${a}/${dp}/${sp}`);
    for (let step = 0; step < 30_000; step++) {
      const six = pick(4) !== 0;
      const a = six ? addr() : (0x0a000000 + pick(16)).toString(16);
      const b = six ? addr() : (0x0a000000 + pick(16)).toString(16);
      const sp = 1 + pick(20);
      const dp = 1 + pick(3);
      const k = `${six ? 6 : 4}:${norm(a, b, sp, dp)}`;
      const input = six ? v6(a, b) : v4(parseInt(a, 16), parseInt(b, 16));
      const found = t.find(input, sp, dp);
      expect(found).toBe(ref.get(k));
      // The side that sorts first is the one named first in the normalised key.
      expect(input.srcLow).toBe(norm(a, b, sp, dp).startsWith(`${a}/${b}/${sp}/`));
      if (found === undefined) {
        if (pick(3) !== 0) {
          const e = new Entry(k);
          t.add(e, pick(2), step);
          ref.set(k, e);
        }
      } else if (pick(2) === 0) {
        t.remove(found);
        ref.delete(k);
      }
      expect(t.size).toBe(ref.size);
    }
    expect([...ref.keys()].filter((k) => k.startsWith('6:')).length).toBeGreaterThan(500);
    for (const [k, e] of ref) {
      const [a, b, sp, dp] = k.slice(2).split('/');
      const back = k.startsWith('6:') ? v6(b, a) : v4(parseInt(b, 16), parseInt(a, 16));
      expect(t.find(back, Number(dp), Number(sp))).toBe(e);
    }
  });

  it('keeps least-recently-used order per list', () => {
    const t = new FlowTable<Entry>();
    const es: Entry[] = [];
    for (let i = 0; i < 3; i++) {
      t.find(v4(1, 100 + i), 1, 2);
      const e = new Entry(String(i));
      t.add(e, 0, i);
      es.push(e);
    }
    expect(t.oldest(0)).toBe(es[0]);
    t.touch(es[0], 10);
    expect(t.oldest(0)).toBe(es[1]);
    t.moveTo(es[1], 1);
    expect(t.oldest(0)).toBe(es[2]);
    expect(t.oldest(1)).toBe(es[1]);
    t.remove(es[2]);
    expect(t.oldest(0)).toBe(es[0]);
  });
});
