/**
 * Flow table: a Map from a compact bidirectional key to a flow entry, plus
 * least-recently-used lists so idle expiry and eviction of the idlest flow are O(1)
 * per step instead of a scan.
 */

/** Base of anything kept in a FlowTable (TCP connections, UDP conversations). */
export class FlowEntry {
  key: string;
  prev: FlowEntry | null = null;
  next: FlowEntry | null = null;
  /** Which LRU list the entry is on (0 = active, 1 = closed/lingering). */
  list = 0;
  /** Capture time (seconds) of the last packet, for idle expiry. */
  lastSec = 0;
  constructor(key: string) {
    this.key = key;
  }
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
  /** Set by `flowKey`: true when the source endpoint sorts first in the key. */
  srcLow: boolean;
}

/**
 * Bidirectional key of (src, sport, dst, dport) built from raw bytes: both directions
 * of a conversation give the same short string, and no address text is created.
 */
export function flowKey(p: FlowKeyInput, sp: number, dp: number): string {
  if (p.version === 4) {
    const a = p.src4;
    const b = p.dst4;
    const low = a < b || (a === b && sp <= dp);
    p.srcLow = low;
    return low
      ? String.fromCharCode(a >>> 16, a & 0xffff, b >>> 16, b & 0xffff, sp, dp)
      : String.fromCharCode(b >>> 16, b & 0xffff, a >>> 16, a & 0xffff, dp, sp);
  }
  const d = p.addrBuf;
  const s = p.srcOff;
  const t = p.dstOff;
  let cmp = 0;
  for (let i = 0; i < 16 && cmp === 0; i++) cmp = d[s + i] - d[t + i];
  const low = cmp < 0 || (cmp === 0 && sp <= dp);
  p.srcLow = low;
  const x = low ? s : t;
  const y = low ? t : s;
  return String.fromCharCode(
    (d[x] << 8) | d[x + 1], (d[x + 2] << 8) | d[x + 3], (d[x + 4] << 8) | d[x + 5], (d[x + 6] << 8) | d[x + 7],
    (d[x + 8] << 8) | d[x + 9], (d[x + 10] << 8) | d[x + 11], (d[x + 12] << 8) | d[x + 13], (d[x + 14] << 8) | d[x + 15],
    (d[y] << 8) | d[y + 1], (d[y + 2] << 8) | d[y + 3], (d[y + 4] << 8) | d[y + 5], (d[y + 6] << 8) | d[y + 7],
    (d[y + 8] << 8) | d[y + 9], (d[y + 10] << 8) | d[y + 11], (d[y + 12] << 8) | d[y + 13], (d[y + 14] << 8) | d[y + 15],
    low ? sp : dp, low ? dp : sp,
  );
}

/** Map plus two LRU lists (index 0 and 1); the head of a list is its idlest entry. */
export class FlowTable<T extends FlowEntry> {
  private readonly map = new Map<string, T>();
  private readonly heads: Array<FlowEntry | null> = [null, null];
  private readonly tails: Array<FlowEntry | null> = [null, null];

  get size(): number {
    return this.map.size;
  }

  /** Entry for `key`, if any. */
  get(key: string): T | undefined {
    return this.map.get(key);
  }

  /** Insert a new entry at the most-recent end of `list`. */
  add(e: T, list: number, sec: number): void {
    this.map.set(e.key, e);
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

  /** Remove an entry from the map and its list. */
  remove(e: T): void {
    if (this.map.get(e.key) === e) this.map.delete(e.key);
    this.unlink(e);
  }

  /** Idlest entry of `list`, or null. */
  oldest(list: number): T | null {
    return this.heads[list] as T | null;
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
