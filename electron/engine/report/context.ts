/**
 * The decoded text around a leaked value, for the report's "decoded excerpt". The
 * analysis stores the leaf the value was found in; a reader needs to see it where it
 * sat: inside the JSON event, the form body or the query string it travelled in. The
 * request is decoded again with the same decoder the analysis used (decodePayload),
 * the decode chain is followed step by step, and the deepest decoded document on the
 * way gives the context. Nothing here decides what a finding is.
 */
import { decodePayload, STEP_SEPARATOR as SEP } from '../decode/decode-tree.ts';
import type { DecodeNode } from '../decode/types.ts';

/** Characters of context kept on each side of the value. */
const SIDE = 220;

export interface LeakContext {
  text: string;
  start: number;
  end: number;
}

/** `$[0].properties.url` → [0, 'properties', 'url']; null when the path is not one we read. */
export function jsonPathSegments(path: string): Array<string | number> | null {
  if (!path.startsWith('$')) return null;
  const out: Array<string | number> = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      out.push(path.slice(i + 1, j));
      i = j;
    } else if (path[i] === '[') {
      const close = path.indexOf(']', i);
      if (close === -1) return null;
      const inner = path.slice(i + 1, close);
      if (/^\d+$/.test(inner)) out.push(Number(inner));
      else if (inner.length >= 2 && (inner[0] === "'" || inner[0] === '"') && inner[inner.length - 1] === inner[0]) out.push(inner.slice(1, -1).replace(/\\(.)/g, '$1'));
      else return null;
      i = close + 1;
    } else {
      return null;
    }
  }
  return out;
}

/** Cut `text` to SIDE characters around [start, end), marking the cuts with '…'. */
function window(text: string, start: number, end: number): LeakContext {
  const from = Math.max(0, start - SIDE);
  const to = Math.min(text.length, end + SIDE);
  const head = from > 0 ? '…' : '';
  const tail = to < text.length ? '…' : '';
  return { text: `${head}${text.slice(from, to)}${tail}`, start: start - from + head.length, end: end - from + head.length };
}

function find(text: string, value: string): { start: number; end: number } | null {
  let i = text.indexOf(value);
  if (i !== -1) return { start: i, end: i + value.length };
  const escaped = JSON.stringify(value).slice(1, -1);
  i = text.indexOf(escaped);
  if (i !== -1) return { start: i, end: i + escaped.length };
  for (const form of [encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+'), value.replace(/ /g, '+')]) {
    i = text.indexOf(form);
    if (i !== -1) return { start: i, end: i + form.length };
  }
  i = text.toLowerCase().indexOf(value.toLowerCase());
  return i === -1 ? null : { start: i, end: i + value.length };
}

/** Text of a JSON path's segments, as the decoder writes them. */
function pathText(segs: ReadonlyArray<string | number>): string {
  return `$${segs.map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('')}`;
}

const MAX_LINES = 16;
const MAX_OTHER_VALUE = 100;

/**
 * The decoded fields of the JSON object the value sat in, one per line, the value's
 * own line marked: `$[0].properties:` then `  url = https://…`. The decode tree keeps
 * a JSON document's leaves, not its text, so this lists what the decoder read rather
 * than pretending to quote the original bytes.
 */
function jsonFieldsContext(doc: DecodeNode, prefix: string, path: string, value: string): LeakContext | null {
  const segs = jsonPathSegments(path);
  if (segs === null || segs.length === 0) return null;
  const parent = pathText(segs.slice(0, -1));
  const own = `${prefix}${SEP}json:${path}`;
  const lines: Array<{ text: string; target: boolean }> = [];
  for (const c of doc.children) {
    const last = c.steps[c.steps.length - 1] ?? '';
    if (!last.startsWith(`json:${parent}`) || typeof c.value !== 'string') continue;
    const rel = last.slice(5 + parent.length).replace(/^\./, '');
    if (rel === '') continue;
    const target = c.path === own;
    const v = target || c.value.length <= MAX_OTHER_VALUE ? c.value : `${c.value.slice(0, MAX_OTHER_VALUE)}…`;
    lines.push({ text: `  ${rel} = ${v}`, target });
  }
  const at = lines.findIndex((l) => l.target);
  if (at === -1) return null;
  const from = Math.max(0, Math.min(at - Math.floor(MAX_LINES / 2), lines.length - MAX_LINES));
  const shown = lines.slice(from, from + MAX_LINES);
  let text = `${parent}:${from > 0 ? '\n  …' : ''}`;
  let start = -1;
  let end = -1;
  for (const l of shown) {
    text += '\n';
    if (l.target) {
      const eq = l.text.indexOf(' = ') + 3;
      start = text.length + eq;
      end = text.length + l.text.length;
    }
    text += l.text;
  }
  if (from + MAX_LINES < lines.length) text += '\n  …';
  const hit = find(text.slice(start, end), value);
  return hit === null ? { text, start, end } : { text, start: start + hit.start, end: start + hit.end };
}

/** Printable text of a payload, or null for binary bytes. */
function asText(input: Buffer | string): string | null {
  const t = typeof input === 'string' ? input : input.toString('utf8');
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffd) return null;
  }
  return t;
}

/**
 * Context of `value` found at `chain` in a request's query string or body (the chains
 * the analysis writes for those start with the decoder's own first step). Null for
 * headers and cookies (their stored excerpt is the whole field) or when the value
 * cannot be placed.
 */
export function leakContext(where: string, chain: string, value: string, uri: string, body: Buffer | null, contentType: string | null): LeakContext | null {
  let input: Buffer | string | null = null;
  let hint: { contentType?: string; name?: string } | undefined;
  if (where === 'body') {
    input = body;
    if (contentType !== null) hint = { contentType };
  } else if (where === 'query') {
    const q = uri.indexOf('?');
    if (q !== -1) {
      const hash = uri.indexOf('#', q);
      input = uri.slice(q + 1, hash === -1 ? undefined : hash);
      hint = { name: 'query' };
    }
  }
  if (input === null || input.length === 0) return null;
  const steps = chain.split(SEP);
  // Follow the chain: the deepest JSON document on it gives the fields around the
  // value; failing that, the deepest decoded text that holds more than the value.
  let node: DecodeNode | undefined = decodePayload(input, undefined, hint).root;
  let json: { node: DecodeNode; depth: number } | null = null;
  let text: string | null = null;
  for (let depth = 0; node !== undefined; depth++) {
    if (node.kind === 'json' && node.children.length > 0 && steps[depth]?.startsWith('json:')) json = { node, depth };
    if (typeof node.value === 'string' && node.value.length > value.length && node.truncated !== true) text = node.value;
    if (depth >= steps.length) break;
    const want = steps.slice(0, depth + 1).join(SEP);
    node = node.children.find((c) => c.path === want);
  }
  if (json !== null) {
    const ctx = jsonFieldsContext(json.node, steps.slice(0, json.depth).join(SEP), steps[json.depth].slice(5), value);
    if (ctx !== null) return ctx;
  }
  for (const t of [text, asText(input)]) {
    if (t === null) continue;
    const hit = find(t, value);
    if (hit !== null) return window(t, hit.start, hit.end);
  }
  return null;
}
