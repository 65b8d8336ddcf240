/**
 * JSON text: one document, or several in a row (JSON lines / NDJSON, or documents
 * simply concatenated), after a BOM or an anti-XSSI prefix. Nesting depth is checked
 * by a scan before JSON.parse is called, so a hostile document is refused before it
 * costs anything, and JSON.parse only sees text whose brackets and strings balance.
 */

/** Integers JSON.parse would round: kept as their source digits. */
export class JsonBigInt {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isJsonSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Anti-XSSI prefixes servers and SDKs put before JSON. */
const XSSI_PREFIXES = [")]}'", 'while(1);', 'for(;;);'];

/**
 * Offset where JSON text starts in `s` (after BOM, whitespace and an anti-XSSI prefix),
 * or -1 when `s` does not begin like an object or array.
 */
export function jsonStart(s: string): number {
  let i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  i = skipSpace(s, i);
  let c = s.charCodeAt(i);
  if (c === 0x7b || c === 0x5b) return i;
  for (const p of XSSI_PREFIXES) {
    if (s.startsWith(p, i)) {
      let j = i + p.length;
      if (s.charCodeAt(j) === 0x2c) j++;
      j = skipSpace(s, j);
      c = s.charCodeAt(j);
      return c === 0x7b || c === 0x5b ? j : -1;
    }
  }
  return -1;
}

export type JsonScan =
  | { ok: true; docs: Array<[start: number, end: number]>; bigNumbers: boolean }
  | { ok: false; tooDeep: boolean };

/** Runs of this many digits may exceed 2^53 and need their source text kept. */
const BIG_DIGITS = 16;

/**
 * Scans JSON text from `start`: strings and brackets must balance, nesting must stay
 * within `maxDepth`, and only objects/arrays may follow one another (at most `maxDocs`).
 * It does not check the grammar between brackets: JSON.parse does that.
 */
export function scanJson(s: string, start: number, maxDepth: number, maxDocs: number): JsonScan {
  const docs: Array<[number, number]> = [];
  let depth = 0;
  let docStart = start;
  let digitRun = 0;
  let bigNumbers = false;
  const len = s.length;
  for (let i = start; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      digitRun = 0;
      // Skip the string; a backslash escapes the next character.
      i++;
      while (i < len) {
        const d = s.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      if (i >= len) return { ok: false, tooDeep: false };
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      if (++digitRun >= BIG_DIGITS) bigNumbers = true;
      continue;
    }
    digitRun = 0;
    if (c === 0x7b || c === 0x5b) {
      if (depth === 0) docStart = i;
      if (++depth > maxDepth) return { ok: false, tooDeep: true };
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth < 0) return { ok: false, tooDeep: false };
      if (depth === 0) {
        if (docs.length >= maxDocs) return { ok: false, tooDeep: false };
        docs.push([docStart, i + 1]);
        i = skipSpace(s, i + 1);
        if (i >= len) break;
        const n = s.charCodeAt(i);
        if (n !== 0x7b && n !== 0x5b) return { ok: false, tooDeep: false };
        i--;
      }
    } else if (depth === 0 && !isJsonSpace(c)) {
      return { ok: false, tooDeep: false };
    }
  }
  if (depth !== 0 || docs.length === 0) return { ok: false, tooDeep: false };
  return { ok: true, docs, bigNumbers };
}

function keepBigIntegers(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined) {
    const src = context.source;
    // Only integers: a float's source and its parsed value say the same thing.
    for (let i = src.charCodeAt(0) === 0x2d ? 1 : 0; i < src.length; i++) {
      const c = src.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return value;
    }
    return new JsonBigInt(src);
  }
  return value;
}

/** JSON.parse of one scanned document; `undefined` if the grammar is wrong after all. */
export function parseJsonDoc(text: string, bigNumbers: boolean): unknown {
  try {
    // The reviver's third argument (source text access) is newer than the TS lib types.
    return bigNumbers ? JSON.parse(text, keepBigIntegers as (k: string, v: unknown) => unknown) : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isIdentifier(k: string): boolean {
  if (k.length === 0) return false;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    const l = c | 0x20;
    const ok = (l >= 0x61 && l <= 0x7a) || c === 0x5f || c === 0x24 || (i > 0 && c >= 0x30 && c <= 0x39);
    if (!ok) return false;
  }
  return true;
}

/** JSONPath of property `key` under `base`: `$.a.b`, or `$['a b']` for other keys. */
export function jsonPathKey(base: string, key: string): string {
  if (isIdentifier(key)) return `${base}.${key}`;
  let esc = '';
  for (let i = 0; i < key.length; i++) {
    const ch = key[i];
    esc += ch === "'" || ch === '\\' ? '\\' + ch : ch;
  }
  return `${base}['${esc}']`;
}
