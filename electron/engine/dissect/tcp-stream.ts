/**
 * One direction of a TCP connection: turns segments into ordered bytes with explicit
 * gaps. Retransmitted bytes are delivered once, out-of-order segments wait in a
 * bounded buffer, and holes are skipped (reported as `gap`) when the peer's ACK
 * proves the bytes went by uncaptured, when a buffer cap is hit, or at close.
 * Sequence arithmetic is modulo 2^32 via signed 32-bit differences.
 */
import type { StreamDir } from '../protocols/types.ts';

/** Receiver of ordered chunks (the connection). */
export interface StreamOwner {
  chunk(s: TcpStream, bytes: Buffer, frame: number, tsSec: number, tsNsec: number, gap: number): void;
}

/** Shared budget of out-of-order bytes across all streams of a dissector. */
export interface OooBudget {
  used: number;
  max: number;
}

const EMPTY = Buffer.alloc(0);

class OooSegment {
  seq: number;
  /** The captured bytes, or null when the stream discards payload (only `len` is kept). */
  data: Buffer | null;
  len: number;
  /** Sequence number after the segment as claimed on the wire (beyond `data` when snaplen cut it). */
  claimedEnd: number;
  frame: number;
  tsSec: number;
  tsNsec: number;
  constructor(seq: number, data: Buffer | null, len: number, claimedEnd: number, frame: number, tsSec: number, tsNsec: number) {
    this.seq = seq;
    this.data = data;
    this.len = len;
    this.claimedEnd = claimedEnd;
    this.frame = frame;
    this.tsSec = tsSec;
    this.tsNsec = tsNsec;
  }
}

/** The not yet delivered part of d[start, end) (its first `skip` bytes were delivered before). */
function view(d: Buffer, start: number, skip: number, end: number): Buffer {
  if (skip > 0) return d.subarray(start + skip, end);
  return start === 0 && end === d.length ? d : d.subarray(start, end);
}

/** Signed distance a - b in sequence space. */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Most out-of-order segments kept per direction; beyond it the first hole is declared lost. */
export const MAX_OOO_SEGMENTS = 2048;

export class TcpStream {
  dir: StreamDir;
  private readonly owner: StreamOwner;
  private readonly budget: OooBudget;
  private readonly maxBuffered: number;
  /** False until the first SYN or data segment fixes the sequence origin. */
  init = false;
  /** Next expected sequence number (unsigned 32-bit). */
  next = 0;
  /** Gap to report with the next delivered chunk. */
  private pendingGap = 0;
  private segs: OooSegment[] | null = null;
  buffered = 0;
  hasFin = false;
  finSeq = 0;
  /** Bytes delivered so far (for the heuristic window). */
  delivered = 0;
  /** Bytes known to be missing in this direction. */
  gapTotal = 0;
  /**
   * Set once the protocol needs no more bytes (a TLS handshake already read): sequence
   * numbers, holes and buffer caps are tracked exactly as before, so the gap count
   * stays the same, but payload is neither copied nor delivered.
   */
  discard = false;

  constructor(dir: StreamDir, owner: StreamOwner, budget: OooBudget, maxBuffered: number) {
    this.dir = dir;
    this.owner = owner;
    this.budget = budget;
    this.maxBuffered = maxBuffered;
  }

  /** True once every byte up to the FIN has been delivered (or skipped as a gap). */
  get finished(): boolean {
    return this.hasFin && seqDiff(this.next, this.finSeq) >= 0;
  }

  /**
   * Feed one segment: payload d[start, end) captured out of `claimedLen` bytes on the wire.
   */
  segment(
    seq: number, syn: boolean, fin: boolean, d: Buffer, start: number, end: number, claimedLen: number,
    frame: number, tsSec: number, tsNsec: number,
  ): void {
    if (syn) seq = (seq + 1) >>> 0;
    if (!this.init) {
      if (!syn && claimedLen === 0 && !fin) return;
      this.init = true;
      this.next = seq;
    }
    if (fin && !this.hasFin) {
      this.hasFin = true;
      this.finSeq = (seq + claimedLen) >>> 0;
    }
    if (claimedLen > 0 && !this.finished) {
      const diff = seqDiff(seq, this.next);
      if (diff <= 0) {
        this.deliver(seq, d, start, end, (seq + claimedLen) >>> 0, frame, tsSec, tsNsec);
        this.drain();
      } else if (end > start) {
        this.buffer(seq, d, start, end, (seq + claimedLen) >>> 0, frame, tsSec, tsNsec);
      }
    }
  }

  /** The peer acknowledged up to `ack`: holes below it will never be filled by the capture. */
  acked(ack: number): void {
    // The owner may release this stream while chunks are delivered: re-read `segs` each step.
    while (this.segs !== null && this.segs.length > 0 && seqDiff(ack, this.segs[0].seq) > 0) this.skipToFirst();
    // The FIN itself was acknowledged: whatever is still missing before it was lost.
    if (this.hasFin && seqDiff(ack, this.finSeq) > 0 && seqDiff(this.finSeq, this.next) > 0) this.flush();
  }

  /** Deliver everything still buffered (with gaps) and account for a missing tail before the FIN. */
  flush(): void {
    while (this.segs !== null && this.segs.length > 0) this.skipToFirst();
    if (this.hasFin) {
      const missing = seqDiff(this.finSeq, this.next);
      if (missing > 0) {
        this.gapTotal += missing;
        this.next = this.finSeq;
      }
    }
  }

  /** Forget buffered data without delivering it (connection no longer analysed). */
  release(): void {
    if (this.segs !== null) {
      this.budget.used -= this.buffered;
      this.buffered = 0;
      this.segs = null;
    }
  }

  private deliver(seq: number, d: Buffer, start: number, end: number, claimedEnd: number, frame: number, tsSec: number, tsNsec: number): void {
    const skip = seqDiff(this.next, seq);
    const len = end - start;
    if (skip < len) {
      const count = skip > 0 ? len - skip : len;
      const gap = this.pendingGap;
      this.pendingGap = 0;
      this.next = (seq + len) >>> 0;
      if (this.hasFin && seqDiff(this.next, this.finSeq) > 0) {
        // Bytes after the FIN are not part of the stream.
        const over = seqDiff(this.next, this.finSeq);
        this.next = this.finSeq;
        if (over >= count) return;
        this.delivered += count - over;
        if (!this.discard) this.owner.chunk(this, view(d, start, skip, end).subarray(0, count - over), frame, tsSec, tsNsec, gap);
        return;
      }
      this.delivered += count;
      if (!this.discard) this.owner.chunk(this, view(d, start, skip, end), frame, tsSec, tsNsec, gap);
    }
    // Bytes cut by the snaplen were on the wire but are not in the capture.
    const lost = seqDiff(claimedEnd, this.next);
    if (lost > 0) {
      this.pendingGap += lost;
      this.gapTotal += lost;
      this.next = claimedEnd;
    }
  }

  private drain(): void {
    let segs = this.segs;
    while (segs !== null && segs.length > 0 && seqDiff(segs[0].seq, this.next) <= 0) {
      const s = segs.shift() as OooSegment;
      this.buffered -= s.len;
      this.budget.used -= s.len;
      if (this.finished) continue;
      this.deliver(s.seq, s.data ?? EMPTY, 0, s.len, s.claimedEnd, s.frame, s.tsSec, s.tsNsec);
      segs = this.segs;
    }
  }

  /** Declare the hole before the first buffered segment lost, then deliver what follows. */
  private skipToFirst(): void {
    const segs = this.segs;
    if (segs === null || segs.length === 0) return;
    const hole = seqDiff(segs[0].seq, this.next);
    if (hole > 0) {
      this.pendingGap += hole;
      this.gapTotal += hole;
      this.next = segs[0].seq;
    }
    this.drain();
  }

  private buffer(seq: number, d: Buffer, start: number, end: number, claimedEnd: number, frame: number, tsSec: number, tsNsec: number): void {
    let segs = this.segs;
    if (segs === null) segs = this.segs = [];
    const len = end - start;
    // Segments mostly arrive in increasing order: search from the end.
    let i = segs.length;
    while (i > 0 && seqDiff(segs[i - 1].seq, seq) > 0) i--;
    if (i > 0 && segs[i - 1].seq === seq && segs[i - 1].len >= len) return;
    let copy: Buffer | null = null;
    if (!this.discard) {
      copy = Buffer.allocUnsafe(len);
      d.copy(copy, 0, start, end);
    }
    segs.splice(i, 0, new OooSegment(seq, copy, len, claimedEnd, frame, tsSec, tsNsec));
    this.buffered += len;
    this.budget.used += len;
    // The byte caps alone let a hostile capture buffer millions of 1-byte segments, each
    // insert then costing a scan and a splice: cap the count too, so work per segment stays bounded.
    while (
      (this.buffered > this.maxBuffered || this.budget.used > this.budget.max || (this.segs !== null && this.segs.length > MAX_OOO_SEGMENTS)) &&
      this.segs !== null &&
      this.segs.length > 0
    ) this.skipToFirst();
  }
}
