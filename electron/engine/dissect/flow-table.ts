/**
 * Flow table: bidirectional lookup of a flow entry by (address, port) pairs, plus
 * least-recently-used lists so idle expiry and eviction of the idlest flow are O(1)
 * per step instead of a scan.
 *
 * Flows live in open-addressing hash tables keyed by 32-bit numbers (three for IPv4,
 * nine for IPv6), so finding a packet's flow allocates nothing; a string key per packet
 * (and its hashing) used to be a tenth of the dissector's allocations.
 */

/** Base of anything kept in a FlowTable (TCP connections, UDP conversations). */
export class FlowEntry {
  /** IPv4 key: the lower-sorting address, the other address, and both ports. */
  v4 = false;
  k0 = 0;
  k1 = 0;
  k2 = 0;
  /** IPv6 key (KEY6_WORDS numbers, laid out as the IPv4 one), null for IPv4 entries. */
  k6: Uint32Array | null = null;
  prev: FlowEntry | null = null;
  next: FlowEntry | null = null;
  /** Which LRU list the entry is on (0 = active, 1 = closed/lingering). */
  list = 0;
  /** Capture time (seconds) of the last packet, for idle expiry. */
  lastSec = 0;
}

/** Key parts of one packet's flow; reused between packets. */
export interface FlowKeyInput {
  version: 4 | 6;
  addrBuf: Buffer;
  srcOff: number;
  dstOff: number;
  /** IPv4 addresses as unsigned numbers (IPv4 only). */
  src4: number;
  dst4: number;
  /** Set by `FlowTable.find`: true when the source endpoint sorts first in the key. */
  srcLow: boolean;
}

/** Words of an IPv6 key: both addresses as four big-endian 32-bit words each, then the ports. */
const KEY6_WORDS = 9;

/** Big-endian 32-bit word of `d` at `o`. */
function be32(d: Buffer, o: number): number {
  return ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
}

/**
 * Write the bidirectional key of an IPv6 (src, sport, dst, dport) to `k` (both directions
 * of a conversation give the same words) and set `p.srcLow`. The lower-sorting endpoint
 * comes first: addresses compared byte by byte, then ports.
 */
function flowKey6(p: FlowKeyInput, sp: number, dp: number, k: Uint32Array): void {
  const d = p.addrBuf;
  const s = p.srcOff;
  const t = p.dstOff;
  let cmp = 0;
  for (let i = 0; i < 16 && cmp === 0; i += 4) {
    const a = be32(d, s + i);
    const b = be32(d, t + i);
    cmp = a < b ? -1 : a > b ? 1 : 0;
  }
  const low = cmp < 0 || (cmp === 0 && sp <= dp);
  p.srcLow = low;
  const x = low ? s : t;
  const y = low ? t : s;
  for (let i = 0; i < 4; i++) {
    k[i] = be32(d, x + 4 * i);
    k[4 + i] = be32(d, y + 4 * i);
  }
  k[8] = (low ? (sp << 16) | dp : (dp << 16) | sp) >>> 0;
}

function hash6(k: Uint32Array): number {
  let h = 0x9e3779b9;
  for (let i = 0; i < KEY6_WORDS; i++) h = Math.imul(h ^ (h >>> 15) ^ k[i], 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

const home4 = (v: { k0: number; k1: number; k2: number }): number => hash3(v.k0, v.k1, v.k2);
const home6 = (v: { k6: Uint32Array | null }): number => hash6(v.k6 as Uint32Array);

/**
 * Remove `e` from an open-addressing table (slot values, keys of `words` numbers per
 * slot) by backward shift, so probe chains stay unbroken without tombstones. False if
 * `e` was not there.
 */
function backwardShiftDelete<V>(vals: Array<V | undefined>, keys: Uint32Array, words: number, mask: number, e: V, homeOf: (v: V) => number): boolean {
  let i = homeOf(e) & mask;
  for (;;) {
    const v = vals[i];
    if (v === undefined) return false;
    if (v === e) break;
    i = (i + 1) & mask;
  }
  vals[i] = undefined;
  let j = i;
  for (;;) {
    j = (j + 1) & mask;
    const v = vals[j];
    if (v === undefined) return true;
    const home = homeOf(v) & mask;
    // v may move into the hole at i unless its home lies cyclically in (i, j].
    const stays = i <= j ? home > i && home <= j : home > i || home <= j;
    if (stays) continue;
    vals[i] = v;
    keys.copyWithin(i * words, j * words, (j + 1) * words);
    vals[j] = undefined;
    i = j;
  }
}

const INITIAL_SLOTS = 1024;
/** IPv6 flows are fewer in most captures; the table doubles as needed. */
const INITIAL_SLOTS6 = 256;

/** Entries plus two LRU lists (index 0 and 1); the head of a list is its idlest entry. */
export class FlowTable<T extends FlowEntry> {
  /** IPv4 table: slot i holds keys[3i..3i+2] and vals[i] (undefined = empty); linear probing. */
  private keys = new Uint32Array(INITIAL_SLOTS * 3);
  private vals: Array<T | undefined> = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  private count4 = 0;
  /** IPv6 table, as the IPv4 one with KEY6_WORDS numbers per slot (entries keep their own copy in `k6`). */
  private keys6 = new Uint32Array(INITIAL_SLOTS6 * KEY6_WORDS);
  private vals6: Array<T | undefined> = new Array<T | undefined>(INITIAL_SLOTS6).fill(undefined);
  private mask6 = INITIAL_SLOTS6 - 1;
  private count6 = 0;
  private readonly heads: Array<FlowEntry | null> = [null, null];
  private readonly tails: Array<FlowEntry | null> = [null, null];
  // Key of the last `find`, given to the entry `add` inserts next.
  private lastV4 = false;
  private last0 = 0;
  private last1 = 0;
  private last2 = 0;
  private readonly last6 = new Uint32Array(KEY6_WORDS);

  get size(): number {
    return this.count4 + this.count6;
  }

  /**
   * Entry of the packet's flow, if any; sets `p.srcLow`. The key is remembered for the
   * next `add` (a new entry for this packet), so nothing may be looked up in between.
   */
  find(p: FlowKeyInput, sp: number, dp: number): T | undefined {
    if (p.version !== 4) {
      this.lastV4 = false;
      flowKey6(p, sp, dp, this.last6);
      return this.find6(this.last6);
    }
    const a = p.src4;
    const b = p.dst4;
    const low = a < b || (a === b && sp <= dp);
    p.srcLow = low;
    const k0 = low ? a : b;
    const k1 = low ? b : a;
    const k2 = (low ? (sp << 16) | dp : (dp << 16) | sp) >>> 0;
    this.lastV4 = true;
    this.last0 = k0;
    this.last1 = k1;
    this.last2 = k2;
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    for (let i = hash3(k0, k1, k2) & mask; ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v === undefined) return undefined;
      const j = i * 3;
      if (keys[j] === k0 && keys[j + 1] === k1 && keys[j + 2] === k2) return v;
    }
  }

  /** Insert a new entry for the flow of the last `find`, at the most-recent end of `list`. */
  add(e: T, list: number, sec: number): void {
    if (this.lastV4) {
      e.v4 = true;
      e.k0 = this.last0;
      e.k1 = this.last1;
      e.k2 = this.last2;
      this.put4(e);
    } else {
      e.v4 = false;
      e.k6 = this.last6.slice();
      this.put6(e);
    }
    e.list = list;
    e.lastSec = sec;
    this.link(e);
  }

  /** Mark activity: the entry becomes the most recent of its list. */
  touch(e: T, sec: number): void {
    if (sec > e.lastSec) e.lastSec = sec;
    if (this.tails[e.list] === e) return;
    this.unlink(e);
    this.link(e);
  }

  /** Move an entry to another list (as its most recent member). */
  moveTo(e: T, list: number): void {
    this.unlink(e);
    e.list = list;
    this.link(e);
  }

  /** Remove an entry from the table and its list. */
  remove(e: T): void {
    if (e.v4) this.delete4(e);
    else this.delete6(e);
    this.unlink(e);
  }

  /** Idlest entry of `list`, or null. */
  oldest(list: number): T | null {
    return this.heads[list] as T | null;
  }

  private put4(e: T): void {
    if ((this.count4 + 1) * 2 > this.vals.length) this.grow();
    const keys = this.keys;
    const mask = this.mask;
    let i = hash3(e.k0, e.k1, e.k2) & mask;
    while (this.vals[i] !== undefined) i = (i + 1) & mask;
    const j = i * 3;
    keys[j] = e.k0;
    keys[j + 1] = e.k1;
    keys[j + 2] = e.k2;
    this.vals[i] = e;
    this.count4++;
  }

  private grow(): void {
    const old = this.vals;
    const slots = old.length * 2;
    this.keys = new Uint32Array(slots * 3);
    this.vals = new Array<T | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
    this.count4 = 0;
    for (const e of old) if (e !== undefined) this.put4(e);
  }

  private delete4(e: T): void {
    if (backwardShiftDelete(this.vals, this.keys, 3, this.mask, e, home4)) this.count4--;
  }

  private find6(k: Uint32Array): T | undefined {
    const keys = this.keys6;
    const vals = this.vals6;
    const mask = this.mask6;
    for (let i = hash6(k) & mask; ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v === undefined) return undefined;
      const j = i * KEY6_WORDS;
      if (
        keys[j + 8] === k[8] && keys[j] === k[0] && keys[j + 1] === k[1] && keys[j + 2] === k[2] && keys[j + 3] === k[3] &&
        keys[j + 4] === k[4] && keys[j + 5] === k[5] && keys[j + 6] === k[6] && keys[j + 7] === k[7]
      ) return v;
    }
  }

  private put6(e: T): void {
    if ((this.count6 + 1) * 2 > this.vals6.length) this.grow6();
    const k = e.k6 as Uint32Array;
    const mask = this.mask6;
    let i = hash6(k) & mask;
    while (this.vals6[i] !== undefined) i = (i + 1) & mask;
    this.keys6.set(k, i * KEY6_WORDS);
    this.vals6[i] = e;
    this.count6++;
  }

  private grow6(): void {
    const old = this.vals6;
    const slots = old.length * 2;
    this.keys6 = new Uint32Array(slots * KEY6_WORDS);
    this.vals6 = new Array<T | undefined>(slots).fill(undefined);
    this.mask6 = slots - 1;
    this.count6 = 0;
    for (const e of old) if (e !== undefined) this.put6(e);
  }

  private delete6(e: T): void {
    if (backwardShiftDelete(this.vals6, this.keys6, KEY6_WORDS, this.mask6, e, home6)) this.count6--;
  }

  private link(e: FlowEntry): void {
    const tail = this.tails[e.list];
    e.prev = tail;
    e.next = null;
    if (tail) tail.next = e; else this.heads[e.list] = e;
    this.tails[e.list] = e;
  }

  private unlink(e: FlowEntry): void {
    if (e.prev) e.prev.next = e.next; else if (this.heads[e.list] === e) this.heads[e.list] = e.next;
    if (e.next) e.next.prev = e.prev; else if (this.tails[e.list] === e) this.tails[e.list] = e.prev;
    e.prev = null;
    e.next = null;
  }
}
