/**
 * IPv4/IPv6 fragment reassembly with hole tracking (RFC 815): the first copy of a
 * byte wins, overlaps are reported, incomplete datagrams time out by capture time,
 * and the total buffered size and number of datagrams are capped.
 */
import type { DissectContext } from './context.ts';

/** Largest reassembled datagram payload accepted (IP length fields are 16-bit). */
const MAX_DATAGRAM = 65535;

/** One datagram being reassembled. */
export class FragDatagram {
  key: string;
  layer: 'ipv4' | 'ipv6';
  prev: FragDatagram | null = null;
  next: FragDatagram | null = null;
  buf: Buffer | null = null;
  /** Missing byte ranges as flat [start, end) pairs. */
  holes: number[] = [0, MAX_DATAGRAM];
  /** Payload length once the last fragment is known, else -1. */
  total = -1;
  /** Highest end offset received. */
  maxEnd = 0;
  firstFrame: number;
  firstSec: number;
  fragments = 0;
  /** Sum of the captured frames' lengths, so flows can count the bytes. */
  frameBytes = 0;
  /** IPv6: next header of the offset-0 fragment; IPv4: the protocol. */
  nextHeader = -1;
  overlapReported = false;
  constructor(key: string, layer: 'ipv4' | 'ipv6', frame: number, sec: number) {
    this.key = key;
    this.layer = layer;
    this.firstFrame = frame;
    this.firstSec = sec;
  }
}

export interface FragmentLimits {
  maxBytes: number;
  maxDatagrams: number;
  timeoutSec: number;
}

/** Reassembles fragments of both IP versions; keys are built by the caller. */
export class FragmentReassembler {
  private readonly map = new Map<string, FragDatagram>();
  private head: FragDatagram | null = null;
  private tail: FragDatagram | null = null;
  private bytes = 0;
  private readonly ctx: DissectContext;
  private readonly limits: FragmentLimits;

  constructor(ctx: DissectContext, limits: FragmentLimits) {
    this.ctx = ctx;
    this.limits = limits;
  }

  /** Datagrams in progress (for tests and stats). */
  get pending(): number {
    return this.map.size;
  }

  /** Bytes currently buffered. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  /**
   * Add the fragment payload d[start, end) at byte `offset` of its datagram. Returns
   * the completed datagram (payload in buf[0, total)) or null while incomplete.
   */
  add(
    key: string, layer: 'ipv4' | 'ipv6', d: Buffer, start: number, end: number, offset: number, more: boolean,
    nextHeader: number, frame: number, sec: number, frameBytes: number,
  ): FragDatagram | null {
    const len = end - start;
    const fragEnd = offset + len;
    if (fragEnd > MAX_DATAGRAM) {
      this.ctx.anomaly(frame, layer, 'fragment beyond 65535 bytes', `offset ${offset} + ${len}`);
      return null;
    }
    if (more && (len & 7) !== 0) {
      this.ctx.anomaly(frame, layer, 'non-final fragment length not a multiple of 8', `${len} bytes at offset ${offset}`);
    }
    let dg = this.map.get(key);
    if (dg === undefined) {
      while (this.map.size >= this.limits.maxDatagrams && this.head) this.drop(this.head, 'too many fragmented datagrams in progress');
      dg = new FragDatagram(key, layer, frame, sec);
      this.map.set(key, dg);
      this.append(dg);
    }
    dg.fragments++;
    dg.frameBytes += frameBytes;
    if (offset === 0) dg.nextHeader = nextHeader;
    if (!more) {
      if (dg.total >= 0 && dg.total !== fragEnd) {
        this.ctx.anomaly(frame, layer, 'conflicting last fragments', `datagram ends at ${dg.total} and at ${fragEnd}`);
        return null;
      }
      if (dg.maxEnd > fragEnd) {
        this.ctx.anomaly(frame, layer, 'data beyond the last fragment', `last fragment ends at ${fragEnd}, data seen up to ${dg.maxEnd}`);
      }
      dg.total = fragEnd;
      const h = dg.holes;
      const trimmed: number[] = [];
      for (let i = 0; i < h.length; i += 2) {
        if (h[i] >= fragEnd) continue;
        trimmed.push(h[i], h[i + 1] > fragEnd ? fragEnd : h[i + 1]);
      }
      dg.holes = trimmed;
    } else if (dg.total >= 0 && fragEnd > dg.total) {
      this.ctx.anomaly(frame, layer, 'fragment beyond the last fragment', `ends at ${fragEnd}, datagram ends at ${dg.total}`);
    }
    if (fragEnd > dg.maxEnd) dg.maxEnd = fragEnd;
    this.ensure(dg, dg.total >= 0 ? Math.min(fragEnd, dg.total) : fragEnd);
    const buf = dg.buf as Buffer;
    const h = dg.holes;
    const out: number[] = [];
    const stop = dg.total >= 0 && dg.total < fragEnd ? dg.total : fragEnd;
    // Walk the sorted holes: bytes inside a hole are new, bytes between holes were already received.
    let cursor = offset;
    let differs = false;
    let overlap = 0;
    for (let i = 0; i < h.length; i += 2) {
      const hs = h[i];
      const he = h[i + 1];
      if (he <= offset || hs >= fragEnd) { out.push(hs, he); continue; }
      const s = hs > offset ? hs : offset;
      const e = he < fragEnd ? he : fragEnd;
      if (s > cursor) {
        overlap += s - cursor;
        if (!differs) differs = d.compare(buf, cursor, s, start + (cursor - offset), start + (s - offset)) !== 0;
      }
      d.copy(buf, s, start + (s - offset), start + (e - offset));
      cursor = e;
      if (hs < s) out.push(hs, s);
      if (e < he) out.push(e, he);
    }
    if (stop > cursor) {
      overlap += stop - cursor;
      if (!differs) differs = d.compare(buf, cursor, stop, start + (cursor - offset), start + (stop - offset)) !== 0;
    }
    dg.holes = out;
    if (overlap > 0 && !dg.overlapReported) {
      // Different bytes for the same offset are an evasion sign; identical ones are duplicates.
      dg.overlapReported = true;
      this.ctx.anomaly(frame, layer, differs ? 'overlapping fragments with different data' : 'overlapping fragments (same data)',
        `${overlap} bytes at offset ${offset} already received (first copy kept)`);
    }
    if (dg.total >= 0 && out.length === 0) {
      this.remove(dg);
      if (dg.buf === null) dg.buf = Buffer.alloc(0);
      return dg;
    }
    if (this.bytes > this.limits.maxBytes) {
      // Dropping the oldest keeps memory bounded under fragment floods.
      while (this.bytes > this.limits.maxBytes && this.head && this.head !== dg) this.drop(this.head, 'fragment buffer limit reached');
    }
    return null;
  }

  /** Drop datagrams whose first fragment is older than the timeout at capture time `now`. */
  expire(now: number): void {
    const limit = now - this.limits.timeoutSec;
    while (this.head && this.head.firstSec < limit) this.drop(this.head, 'incomplete fragmented datagram timed out');
  }

  /** End of input: report every incomplete datagram. */
  finish(): void {
    while (this.head) this.drop(this.head, 'incomplete fragmented datagram at end of capture');
  }

  private drop(dg: FragDatagram, why: string): void {
    this.remove(dg);
    this.ctx.anomaly(dg.firstFrame, dg.layer, why, `${dg.fragments} fragment(s) from frame ${dg.firstFrame}`);
  }

  private ensure(dg: FragDatagram, size: number): void {
    const cur = dg.buf === null ? 0 : dg.buf.length;
    if (size <= cur) return;
    let n = cur === 0 ? Math.max(size, 2048) : Math.max(size, cur * 2);
    if (n > MAX_DATAGRAM) n = MAX_DATAGRAM;
    const nb = Buffer.alloc(n);
    if (dg.buf !== null) dg.buf.copy(nb, 0, 0, cur);
    dg.buf = nb;
    this.bytes += n - cur;
  }

  private append(dg: FragDatagram): void {
    dg.prev = this.tail;
    dg.next = null;
    if (this.tail) this.tail.next = dg; else this.head = dg;
    this.tail = dg;
  }

  private remove(dg: FragDatagram): void {
    this.map.delete(dg.key);
    if (dg.prev) dg.prev.next = dg.next; else if (this.head === dg) this.head = dg.next;
    if (dg.next) dg.next.prev = dg.prev; else if (this.tail === dg) this.tail = dg.prev;
    dg.prev = null;
    dg.next = null;
    if (dg.buf !== null) this.bytes -= dg.buf.length;
  }
}
