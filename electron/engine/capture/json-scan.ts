/**
 * Streaming JSON scanner: checks the grammar byte by byte over chunks of any size and
 * hands over, parsed, only the values a handler selects near the top of the document
 * (for HAR: each element of log.entries and log.pages). Memory is bounded by the
 * largest selected value, never by the file.
 *
 * Strings are checked for escapes but not for raw control characters; selected values
 * go through JSON.parse, which does, and skipped ones need not be exact.
 */

/** Path of a value: object keys and array indexes from the root. */
export type JsonPath = ReadonlyArray<string | number>;

export interface JsonScanHandler {
  /** A value starts at `path` (only called up to the scanner's select depth). Return true to receive it. */
  begin(path: JsonPath, firstByte: number): boolean;
  /** A selected value, parsed. `path` is the same as at `begin`. */
  value(path: JsonPath, v: unknown): void;
  /** A selected value was larger than the cap and was dropped. */
  oversize(path: JsonPath, bytes: number): void;
  /**
   * Optional: `value` threw for the value at `path`. Given this, the scanner reports the
   * failure here and goes on with the next value, so one bad entry does not end the
   * file; without it, the exception propagates.
   */
  failed?(path: JsonPath, error: unknown): void;
}

/** Largest single selected value kept (V8 strings top out near 512 MiB). */
export const MAX_SELECTED_BYTES = 256 * 1024 * 1024;
const MAX_DEPTH = 4096;
const MAX_KEY_BYTES = 1024;

const S_BOM = 0;
const S_VALUE = 1;
const S_ARR_FIRST = 2;
const S_OBJ_FIRST = 3;
const S_OBJ_KEY = 4;
const S_COLON = 5;
const S_AFTER = 6;
const S_STRING = 7;
const S_ESC = 8;
const S_UHEX = 9;
const S_NUM = 10;
const S_LIT = 11;
const S_DONE = 12;

// Number sub-states; the "end ok" ones are those after which the number may stop.
const N_MINUS = 0;
const N_ZERO = 1;
const N_INT = 2;
const N_DOT = 3;
const N_FRAC = 4;
const N_E = 5;
const N_ESIGN = 6;
const N_EXP = 7;

const OBJ = 1;
const ARR = 2;

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function isWs(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function isHex(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

function show(b: number): string {
  if (b >= 0x21 && b <= 0x7e) return `'${String.fromCharCode(b)}'`;
  return `byte 0x${b.toString(16).padStart(2, '0')}`;
}

export class JsonScanner {
  /** First grammar error, worded with its absolute byte offset; null while the input is fine. */
  error: string | null = null;

  private readonly handler: JsonScanHandler;
  private readonly selectDepth: number;
  private state = S_BOM;
  private bomPos = 0;
  /** Absolute offset of the current chunk's first byte. */
  private base = 0;
  private readonly stack = new Uint8Array(MAX_DEPTH);
  private depth = 0;
  /** Keys/indexes of the frames up to `selectDepth`. */
  private readonly path: Array<string | number> = [];
  private sawValue = false;

  private isKey = false;
  private keyOn = false;
  private keyParts: Buffer[] = [];
  private keyBytes = 0;
  private uLeft = 0;
  private num = N_MINUS;
  private lit: Buffer = TRUE;
  private litPos = 0;

  private capturing = false;
  private capDepth = 0;
  private capStart = 0;
  private capAt = 0;
  private capParts: Buffer[] = [];
  private capBytes = 0;
  private capOver = false;

  constructor(handler: JsonScanHandler, selectDepth: number) {
    this.handler = handler;
    this.selectDepth = selectDepth;
  }

  /** Total bytes consumed so far. */
  get position(): number {
    return this.base;
  }

  private fail(msg: string, i: number): void {
    if (this.error === null) this.error = `${msg} at byte ${this.base + i}`;
  }

  /** Feed the next chunk. After an error, further input is ignored. */
  push(c: Buffer): void {
    if (this.error !== null) return;
    const end = c.length;
    if (this.capturing) this.capStart = 0;
    let strSeg = 0;
    let bs = -2;
    let qt = -2;
    let i = 0;
    while (i < end && this.error === null) {
      switch (this.state) {
        case S_BOM: {
          const want = this.bomPos === 0 ? 0xef : this.bomPos === 1 ? 0xbb : 0xbf;
          if (c[i] === want) {
            i++;
            if (++this.bomPos === 3) this.state = S_VALUE;
          } else if (this.bomPos === 0) {
            this.state = S_VALUE;
          } else {
            this.fail('broken UTF-8 byte-order mark', i);
          }
          break;
        }
        case S_VALUE:
        case S_ARR_FIRST: {
          const b = c[i];
          if (isWs(b)) { i++; break; }
          if (b === 0x5d && this.state === S_ARR_FIRST) {
            i = this.close(c, i, ARR);
            break;
          }
          i = this.beginValue(c, i, b);
          break;
        }
        case S_OBJ_FIRST:
        case S_OBJ_KEY: {
          const b = c[i];
          if (isWs(b)) { i++; break; }
          if (b === 0x22) {
            i++;
            this.state = S_STRING;
            this.isKey = true;
            this.keyOn = this.depth <= this.selectDepth;
            this.keyParts = [];
            this.keyBytes = 0;
            strSeg = i;
            break;
          }
          if (b === 0x7d && this.state === S_OBJ_FIRST) {
            i = this.close(c, i, OBJ);
            break;
          }
          this.fail(`expected a key string${this.state === S_OBJ_FIRST ? " or '}'" : ''}, found ${show(b)}`, i);
          break;
        }
        case S_COLON: {
          const b = c[i];
          if (isWs(b)) { i++; break; }
          if (b === 0x3a) { i++; this.state = S_VALUE; break; }
          this.fail(`expected ':' after a key, found ${show(b)}`, i);
          break;
        }
        case S_AFTER: {
          const b = c[i];
          if (isWs(b)) { i++; break; }
          const top = this.stack[this.depth - 1];
          if (b === 0x2c) {
            i++;
            if (top === OBJ) {
              this.state = S_OBJ_KEY;
            } else {
              if (this.depth <= this.selectDepth) (this.path[this.depth - 1] as number)++;
              this.state = S_VALUE;
            }
            break;
          }
          if (top === OBJ && b === 0x7d) { i = this.close(c, i, OBJ); break; }
          if (top === ARR && b === 0x5d) { i = this.close(c, i, ARR); break; }
          this.fail(top === OBJ ? `expected ',' or '}' after a value in an object, found ${show(b)}` : `expected ',' or ']' after a value in an array, found ${show(b)}`, i);
          break;
        }
        case S_STRING: {
          // Both searches are cached per chunk: re-searching after every escape would be
          // quadratic in long bodies full of \n and free of quotes.
          if (qt !== -1 && qt < i) qt = c.indexOf(0x22, i);
          const q = qt;
          const limit = q < 0 ? end : q;
          if (bs !== -1 && bs < i) bs = c.indexOf(0x5c, i);
          if (bs >= 0 && bs < limit) {
            i = bs + 1;
            this.state = S_ESC;
            break;
          }
          if (q < 0) { i = end; break; }
          i = q + 1;
          this.endString(c, strSeg, q, i);
          break;
        }
        case S_ESC: {
          const b = c[i++];
          if (b === 0x75) { this.state = S_UHEX; this.uLeft = 4; break; }
          if (b === 0x22 || b === 0x5c || b === 0x2f || b === 0x62 || b === 0x66 || b === 0x6e || b === 0x72 || b === 0x74) {
            this.state = S_STRING;
            break;
          }
          this.fail(`invalid escape \\${String.fromCharCode(b)} in a string`, i - 1);
          break;
        }
        case S_UHEX: {
          if (!isHex(c[i])) { this.fail('invalid \\u escape in a string', i); break; }
          i++;
          if (--this.uLeft === 0) this.state = S_STRING;
          break;
        }
        case S_NUM: {
          i = this.number(c, i, end);
          break;
        }
        case S_LIT: {
          if (c[i] !== this.lit[this.litPos]) {
            this.fail(`invalid literal (expected ${this.lit.toString()})`, i);
            break;
          }
          i++;
          if (++this.litPos === this.lit.length) this.afterValue(c, i);
          break;
        }
        case S_DONE: {
          const b = c[i];
          if (isWs(b)) { i++; break; }
          this.fail(`unexpected ${show(b)} after the end of the JSON document`, i);
          break;
        }
      }
    }
    if (this.error === null) {
      if (this.keyOn && (this.state === S_STRING || this.state === S_ESC || this.state === S_UHEX) && this.isKey) {
        this.addKeyPart(c.subarray(strSeg, end));
      }
      if (this.capturing && !this.capOver) {
        this.capBytes += end - this.capStart;
        if (this.capBytes > MAX_SELECTED_BYTES) {
          this.capOver = true;
          this.capParts = [];
        } else {
          this.capParts.push(Buffer.from(c.subarray(this.capStart, end)));
        }
      } else if (this.capturing) {
        this.capBytes += end - this.capStart;
      }
    }
    this.base += end;
  }

  /** Signal end of input; returns the error (also kept in `error`), or null if the document was complete. */
  finish(): string | null {
    if (this.error !== null) return this.error;
    if (this.state === S_NUM && this.depth === 0 && this.numCanEnd()) {
      this.state = S_DONE;
      this.sawValue = true;
    }
    if (this.state !== S_DONE) {
      const where = this.depth > 0 ? ` inside ${this.stack[this.depth - 1] === OBJ ? 'an object' : 'an array'}` : '';
      this.error = this.sawValue || this.depth > 0 || this.state === S_STRING || this.state === S_NUM || this.state === S_LIT
        ? `unexpected end of input${where} at byte ${this.base}`
        : `no JSON value at all (${this.base} bytes)`;
    }
    return this.error;
  }

  private addKeyPart(b: Buffer): void {
    if (this.keyBytes + b.length > MAX_KEY_BYTES) { this.keyBytes = MAX_KEY_BYTES + 1; return; }
    this.keyParts.push(Buffer.from(b));
    this.keyBytes += b.length;
  }

  private beginValue(c: Buffer, i: number, b: number): number {
    if (!this.capturing && this.depth <= this.selectDepth && this.handler.begin(this.path, b)) {
      this.capturing = true;
      this.capDepth = this.depth;
      this.capStart = i;
      this.capAt = this.base + i;
      this.capParts = [];
      this.capBytes = 0;
      this.capOver = false;
    }
    if (b === 0x7b || b === 0x5b) {
      if (this.depth >= MAX_DEPTH) { this.fail(`nesting deeper than ${MAX_DEPTH} levels`, i); return i; }
      const kind = b === 0x7b ? OBJ : ARR;
      this.stack[this.depth++] = kind;
      if (this.depth <= this.selectDepth) this.path.push(kind === OBJ ? '' : 0);
      this.state = kind === OBJ ? S_OBJ_FIRST : S_ARR_FIRST;
      return i + 1;
    }
    if (b === 0x22) {
      this.state = S_STRING;
      this.isKey = false;
      this.keyOn = false;
      return i + 1;
    }
    if (b === 0x2d || isDigit(b)) {
      this.state = S_NUM;
      this.num = b === 0x2d ? N_MINUS : b === 0x30 ? N_ZERO : N_INT;
      return i + 1;
    }
    if (b === 0x74 || b === 0x66 || b === 0x6e) {
      this.state = S_LIT;
      this.lit = b === 0x74 ? TRUE : b === 0x66 ? FALSE : NULL;
      this.litPos = 1;
      return i + 1;
    }
    this.fail(`expected a value, found ${show(b)}`, i);
    return i;
  }

  private endString(c: Buffer, seg: number, q: number, next: number): void {
    if (!this.isKey) {
      this.afterValue(c, next);
      return;
    }
    if (this.keyOn) {
      this.addKeyPart(c.subarray(seg, q));
      let key = '';
      if (this.keyBytes <= MAX_KEY_BYTES) {
        const raw = this.keyParts.length === 1 ? this.keyParts[0] : Buffer.concat(this.keyParts);
        key = raw.includes(0x5c) ? safeKey(raw) : raw.toString('utf8');
      }
      this.path[this.depth - 1] = key;
      this.keyParts = [];
    }
    this.isKey = false;
    this.keyOn = false;
    this.state = S_COLON;
  }

  private numCanEnd(): boolean {
    const n = this.num;
    return n === N_ZERO || n === N_INT || n === N_FRAC || n === N_EXP;
  }

  private number(c: Buffer, i: number, end: number): number {
    while (i < end) {
      const b = c[i];
      switch (this.num) {
        case N_MINUS:
          if (b === 0x30) this.num = N_ZERO;
          else if (isDigit(b)) this.num = N_INT;
          else { this.fail('invalid number', i); return i; }
          break;
        case N_ZERO:
          if (b === 0x2e) this.num = N_DOT;
          else if (b === 0x65 || b === 0x45) this.num = N_E;
          else { this.afterValue(c, i); return i; }
          break;
        case N_INT:
          if (isDigit(b)) break;
          if (b === 0x2e) this.num = N_DOT;
          else if (b === 0x65 || b === 0x45) this.num = N_E;
          else { this.afterValue(c, i); return i; }
          break;
        case N_DOT:
          if (isDigit(b)) this.num = N_FRAC;
          else { this.fail('invalid number', i); return i; }
          break;
        case N_FRAC:
          if (isDigit(b)) break;
          if (b === 0x65 || b === 0x45) this.num = N_E;
          else { this.afterValue(c, i); return i; }
          break;
        case N_E:
          if (b === 0x2b || b === 0x2d) this.num = N_ESIGN;
          else if (isDigit(b)) this.num = N_EXP;
          else { this.fail('invalid number', i); return i; }
          break;
        case N_ESIGN:
          if (isDigit(b)) this.num = N_EXP;
          else { this.fail('invalid number', i); return i; }
          break;
        case N_EXP:
          if (isDigit(b)) break;
          this.afterValue(c, i);
          return i;
      }
      i++;
    }
    return i;
  }

  private close(c: Buffer, i: number, kind: number): number {
    if (this.depth <= this.selectDepth) this.path.pop();
    this.depth--;
    void kind;
    this.afterValue(c, i + 1);
    return i + 1;
  }

  /** A value ended just before `next` (an index into `c`). */
  private afterValue(c: Buffer, next: number): void {
    this.sawValue = true;
    this.state = this.depth === 0 ? S_DONE : S_AFTER;
    if (this.capturing && this.depth === this.capDepth) this.finishCapture(c, next);
  }

  private finishCapture(c: Buffer, next: number): void {
    this.capturing = false;
    const path = this.path;
    if (this.capOver) {
      this.handler.oversize(path, this.capBytes + next - this.capStart);
      return;
    }
    const piece = c.subarray(this.capStart, next);
    const bytes = this.capParts.length === 0 ? piece : Buffer.concat([...this.capParts, piece]);
    this.capParts = [];
    let v: unknown;
    try {
      v = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.error = `${msg} (in the value starting at byte ${this.capAt})`;
      return;
    }
    if (this.handler.failed === undefined) {
      this.handler.value(path, v);
      return;
    }
    try {
      this.handler.value(path, v);
    } catch (e) {
      this.handler.failed(path, e);
    }
  }
}

function safeKey(raw: Buffer): string {
  try {
    const k: unknown = JSON.parse(`"${raw.toString('utf8')}"`);
    return typeof k === 'string' ? k : '';
  } catch {
    return '';
  }
}
