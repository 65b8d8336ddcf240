/**
 * The readers' scratch for a header or record split across chunks: the bytes are
 * gathered here until the whole unit is present, then parsed from `buf`.
 */

const INITIAL_BYTES = 64 * 1024;
/** A scratch grown past this by one big record is dropped afterwards, not kept for the rest of the file. */
const KEEP_BYTES = 8 * 1024 * 1024;

export class Scratch {
  buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  /** Valid bytes at the start of `buf`. */
  len = 0;

  /** Copy up to `want - len` bytes of `chunk` from `from` (growing `buf` as needed); returns the new position. */
  fill(chunk: Buffer, from: number, want: number): number {
    const take = Math.min(want - this.len, chunk.length - from);
    if (take <= 0) return from;
    if (this.len + take > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.len + take, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.len, from, from + take);
    this.len += take;
    return from + take;
  }

  /** Call once the unit in `buf` has been consumed (and `len` reset). */
  shrink(): void {
    if (this.buf.length > KEEP_BYTES) this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
  }
}
