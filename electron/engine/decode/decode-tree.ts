/**
 * The decode-chain search: reads a payload (request body, query string, any field),
 * tries the decoders on it, and recurses into whatever they produce, building a tree
 * whose every node carries the chain of steps that led to it. Later passes read the
 * flat list of string leaves (identifier extraction, leak matching).
 *
 * Each node has one reading: either parts (JSON values, form fields, multipart parts,
 * protobuf fields, URL query parameters) or a single decoding of its whole content
 * (base64, gzip, ...). Guessed decodings (base64, hex, headerless codecs) are tried
 * tentatively and dropped unless what comes out decodes further or reads as text.
 *
 * All work is bounded by DecodeLimits counters (no timers); a limit stops its branch
 * and leaves an anomaly on the result. Nothing here throws on bad input.
 */
import { bytesAsText, type TextStrictness } from './text-check.ts';
import { base64Variant, dataUrlBase64, decodeBase64 } from './decoders/base64.ts';
import { decodeHex, looksLikeHex } from './decoders/hex.ts';
import { hasPercentEscape, looksLikeForm, parseFormPairs, percentDecode } from './decoders/form.ts';
import { urlQuery } from './decoders/url.ts';
import { JsonBigInt, jsonPathKey, jsonStart, parseJsonDoc, scanJson } from './decoders/json.ts';
import { codecFromEncoding, decompress, probe, sniffCodec, type Codec } from './decoders/compression.ts';
import { readProtobuf, type PbValue } from './decoders/protobuf.ts';
import { boundaryFromContentType, parseMultipart, sniffBoundary } from './decoders/multipart.ts';
import { jwtSegments } from './decoders/jwt.ts';
import {
  DEFAULT_DECODE_LIMITS,
  type DecodeAnomaly,
  type DecodeHint,
  type DecodeKind,
  type DecodeLeaf,
  type DecodeLimits,
  type DecodeNode,
  type DecodeResult,
} from './types.ts';

/** Joins the steps of a chain in `path`. */
export const STEP_SEPARATOR = ' → ';

/** Anomalies kept per payload; hostile input could otherwise produce one per leaf. */
const MAX_ANOMALIES = 100;
/** Headerless codecs are tried on unhinted binary only from this size. */
const TRIAL_MIN_BYTES = 64;
/** Form fields whose value announces that sibling fields are compressed. */
const COMPRESS_FLAGS = new Set(['gzip', 'compress', 'zip', 'gz']);

interface Ctx {
  lim: Required<DecodeLimits>;
  nodes: number;
  out: number;
  work: number;
  anomalies: DecodeAnomaly[];
  stopped: boolean;
}

/** What is known about the content being expanded. */
interface Flags {
  /** The text is the value of a JSON string: JSON inside it gets a `jsonstr` step. */
  inJson: boolean;
  /** A sibling form field (gzip=1) said this content is compressed. */
  compressed: boolean;
  /** Lower-cased Content-Type, '' if unknown. */
  contentType: string;
  /** The Content-Type as given (a multipart boundary is case-sensitive). */
  rawContentType: string;
  /** Content-Encoding not yet undone. */
  encoding: Codec | null;
  /** Top-level query string: its pairs are `query:` steps. */
  query: boolean;
}

const PLAIN: Flags = { inJson: false, compressed: false, contentType: '', rawContentType: '', encoding: null, query: false };
const IN_JSON: Flags = { inJson: true, compressed: false, contentType: '', rawContentType: '', encoding: null, query: false };
const COMPRESSED: Flags = { inJson: false, compressed: true, contentType: '', rawContentType: '', encoding: null, query: false };

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB` : `${n} bytes`;
}

function anomaly(ctx: Ctx, node: DecodeNode, error: string): void {
  if (ctx.anomalies.length < MAX_ANOMALIES) ctx.anomalies.push({ chain: node.path, error });
  else if (ctx.anomalies.length === MAX_ANOMALIES) {
    ctx.anomalies.push({ chain: '', error: `more than ${MAX_ANOMALIES} anomalies; the rest not recorded` });
  }
}

/** A new node under `parent` (not attached), or null once the node limit is reached. */
function makeNode(ctx: Ctx, parent: DecodeNode, step: string, kind: DecodeKind, key: string | null | undefined): DecodeNode | null {
  if (ctx.stopped) return null;
  if (ctx.nodes >= ctx.lim.maxNodes) {
    ctx.stopped = true;
    anomaly(ctx, parent, `node limit (${ctx.lim.maxNodes}) reached; the rest of the payload not decoded`);
    return null;
  }
  ctx.nodes++;
  const steps = parent.steps.concat(step);
  return {
    path: parent.path === '' ? step : parent.path + STEP_SEPARATOR + step,
    steps,
    kind,
    key: key === undefined ? parent.key : key,
    children: [],
  };
}

/** Counts scanning work; false (and the whole payload stops) past maxWork. */
function spend(ctx: Ctx, node: DecodeNode, units: number): boolean {
  ctx.work += units;
  if (ctx.work <= ctx.lim.maxWork) return true;
  if (!ctx.stopped) {
    ctx.stopped = true;
    anomaly(ctx, node, `work limit (${ctx.lim.maxWork}) reached; the rest of the payload not decoded`);
  }
  return false;
}

/** True when `node` may get children; else records that the depth limit stopped it. */
function canDescend(ctx: Ctx, node: DecodeNode, what: string): boolean {
  if (node.steps.length < ctx.lim.maxDepth) return true;
  anomaly(ctx, node, `${what} not decoded: depth limit (${ctx.lim.maxDepth} steps) reached`);
  return false;
}

/** Books `n` output bytes against the payload's budget; false (with an anomaly) if it would overflow. */
function reserveOutput(ctx: Ctx, node: DecodeNode, n: number, what: string): boolean {
  if (ctx.out + n <= ctx.lim.maxOutputBytes) {
    ctx.out += n;
    return true;
  }
  anomaly(ctx, node, `${what} not decoded: output would pass the payload's ${mib(ctx.lim.maxOutputBytes)} budget`);
  return false;
}

function setText(ctx: Ctx, node: DecodeNode, text: string): void {
  if (text.length > ctx.lim.maxValueChars) {
    node.value = text.slice(0, ctx.lim.maxValueChars);
    node.truncated = true;
  } else {
    node.value = text;
  }
}

/** Turns `node` into a container of parts: its text is represented by the children. */
function becomeContainer(node: DecodeNode, kind: DecodeKind): void {
  node.kind = kind;
  node.encoded = true;
  delete node.value;
  delete node.truncated;
}

// ---------------------------------------------------------------------------
// Text

function expandText(ctx: Ctx, node: DecodeNode, text: string, f: Flags): void {
  if (node.kind === 'text' || node.kind === 'binary') {
    node.kind = 'text';
    setText(ctx, node, text);
  }
  if (ctx.stopped || text.length < 2) return;
  if (!spend(ctx, node, text.length)) return;
  const c0 = text.charCodeAt(0);

  if (c0 === 0x7b || c0 === 0x5b || c0 <= 0x20 || c0 === 0xfeff || c0 === 0x29 || c0 === 0x77 || c0 === 0x66) {
    const start = jsonStart(text);
    if (start >= 0 && expandJsonText(ctx, node, text, start, f.inJson)) return;
  }

  const query = urlQuery(text);
  if (query !== null) {
    // The URL stays a leaf of its own: its parameters do not cover host and path.
    if (canDescend(ctx, node, 'URL query')) addPairs(ctx, node, query, 'query');
    return;
  }

  if (text.indexOf('=') > 0 && looksLikeForm(text, f.query || f.contentType.includes('x-www-form-urlencoded'))) {
    if (!canDescend(ctx, node, 'form')) return;
    becomeContainer(node, 'form');
    addPairs(ctx, node, text, f.query ? 'query' : 'form');
    return;
  }

  const dataB64 = dataUrlBase64(text);
  if (dataB64 !== null) {
    if (!canDescend(ctx, node, 'data URL')) return;
    const variant = base64Variant(dataB64) ?? 'base64';
    decodeTextToBytes(ctx, node, variant, dataB64, f, true);
    return;
  }

  const jwt = jwtSegments(text);
  if (jwt !== null) {
    if (canDescend(ctx, node, 'JWT')) {
      jsonSegment(ctx, node, 'jwt:header', jwt[0]);
      jsonSegment(ctx, node, 'jwt:payload', jwt[1]);
    }
    return;
  }

  if (looksLikeHex(text)) {
    if (!canDescend(ctx, node, 'hex')) return;
    if (decodeTextToBytes(ctx, node, 'hex', text, f, false)) return;
  }

  let b64 = text;
  let variant = base64Variant(text);
  if (variant === null && text.length >= 16 && text.indexOf(' ') > 0 && text.indexOf('+') === -1 && spacesAreRare(text)) {
    // Base64 put in a form without percent-encoding: the form decoder turned '+' into ' '.
    b64 = text.replaceAll(' ', '+');
    variant = base64Variant(b64) === 'base64' ? 'base64' : null;
  }
  if (variant !== null) {
    if (!canDescend(ctx, node, variant)) return;
    if (decodeTextToBytes(ctx, node, variant, b64, f, false)) return;
  }

  if (hasPercentEscape(text)) {
    const decoded = percentDecode(text, false);
    if (decoded !== text && canDescend(ctx, node, 'percent-encoding')) {
      const child = makeNode(ctx, node, 'url', 'text', undefined);
      if (child === null) return;
      node.children.push(child);
      node.encoded = true;
      expandText(ctx, child, decoded, PLAIN);
    }
  }
}

/** '+' is 1 in 64 base64 characters; prose has a space every few characters. */
function spacesAreRare(text: string): boolean {
  let n = 0;
  for (let i = text.indexOf(' '); i !== -1; i = text.indexOf(' ', i + 1)) n++;
  return n * 16 <= text.length;
}

/**
 * Decodes hex/base64 text into bytes and expands them under a `step` child. Unless
 * `keep` (the encoding was declared), the child is dropped and false returned when the
 * bytes neither decode further nor read as text.
 */
function decodeTextToBytes(ctx: Ctx, node: DecodeNode, step: 'hex' | 'base64' | 'base64url', text: string, f: Flags, keep: boolean): boolean {
  const estimate = step === 'hex' ? text.length >> 1 : Math.ceil((text.length * 3) / 4);
  const outBefore = ctx.out;
  if (!reserveOutput(ctx, node, estimate, step)) return true;
  const nodesBefore = ctx.nodes;
  const anomaliesBefore = ctx.anomalies.length;
  const child = makeNode(ctx, node, step, 'binary', undefined);
  if (child === null) return true;
  const bytes = step === 'hex' ? decodeHex(text) : decodeBase64(text, step);
  const flags = f.compressed ? COMPRESSED : PLAIN;
  if (expandBytes(ctx, child, bytes, flags, keep ? 'loose' : 'decoded') || keep) {
    node.children.push(child);
    // A guess that yields only text (or a form, or a URL) leaves the original a leaf
    // too, so a wrong guess never hides a value (a hash that decoded to letters). JSON,
    // protobuf, multipart, compressed data, or text that itself decoded as a whole,
    // are proof enough.
    const k = child.kind;
    node.encoded = keep || k === 'json' || k === 'protobuf' || k === 'multipart' || k === 'binary' || (k === 'text' && child.encoded === true);
    return true;
  }
  ctx.nodes = nodesBefore;
  ctx.anomalies.length = anomaliesBefore;
  ctx.out = outBefore;
  return false;
}

/** A JWT segment: base64url of JSON, expanded under its own step. */
function jsonSegment(ctx: Ctx, node: DecodeNode, step: string, seg: string): void {
  const bytes = decodeBase64(seg, 'base64url');
  const text = bytesAsText(bytes, 'field');
  if (text === null || !reserveOutput(ctx, node, bytes.length, step)) return;
  const child = makeNode(ctx, node, step, 'text', undefined);
  if (child === null) return;
  node.children.push(child);
  expandText(ctx, child, text, PLAIN);
}

/** Adds a child per form field or query parameter; `gzip=1` marks the siblings compressed. */
function addPairs(ctx: Ctx, node: DecodeNode, text: string, prefix: 'form' | 'query'): void {
  const room = ctx.lim.maxNodes - ctx.nodes;
  const { pairs, more } = parseFormPairs(text, Math.max(room, 0));
  let compressed = false;
  for (const [k, v] of pairs) {
    if ((v === '1' || v === 'true') && COMPRESS_FLAGS.has(k.toLowerCase())) compressed = true;
  }
  for (const [k, v] of pairs) {
    const child = makeNode(ctx, node, `${prefix}:${k}`, 'text', k);
    if (child === null) return;
    node.children.push(child);
    expandText(ctx, child, v, compressed ? COMPRESSED : PLAIN);
  }
  if (more && !ctx.stopped) {
    ctx.stopped = true;
    anomaly(ctx, node, `${prefix}: more fields than the node limit (${ctx.lim.maxNodes}); the rest not decoded`);
  }
}

// ---------------------------------------------------------------------------
// JSON

/**
 * Parses JSON text starting at `start` into `node` (or, for the value of a JSON
 * string, into a `jsonstr` child). False when the text is not JSON after all.
 */
function expandJsonText(ctx: Ctx, node: DecodeNode, text: string, start: number, inJson: boolean): boolean {
  if (text.length - start > ctx.lim.maxJsonChars) {
    anomaly(ctx, node, `JSON not parsed: ${text.length} characters is over the ${ctx.lim.maxJsonChars} limit`);
    return true;
  }
  const scan = scanJson(text, start, ctx.lim.maxJsonDepth, Math.max(1, ctx.lim.maxNodes - ctx.nodes));
  if (!scan.ok) {
    if (scan.tooDeep) {
      anomaly(ctx, node, `JSON not parsed: nesting deeper than ${ctx.lim.maxJsonDepth}`);
      return true;
    }
    return false;
  }
  const docs = scan.docs;
  const first = parseJsonDoc(docs.length === 1 && start === 0 && docs[0][1] === text.length ? text : text.slice(docs[0][0], docs[0][1]), scan.bigNumbers);
  if (first === undefined) return false;
  if (!canDescend(ctx, node, 'JSON')) return true;
  let target = node;
  if (inJson) {
    const child = makeNode(ctx, node, 'jsonstr', 'json', undefined);
    if (child === null) return true;
    node.children.push(child);
    node.encoded = true;
    target = child;
  } else {
    becomeContainer(node, 'json');
  }
  target.kind = 'json';
  const baseKey = target.key;
  if (docs.length === 1) {
    walkJson(ctx, target, first, '$', baseKey);
    return true;
  }
  // JSON lines or concatenated documents: numbered like the elements of an array.
  walkJson(ctx, target, first, '$[0]', baseKey);
  for (let i = 1; i < docs.length && !ctx.stopped; i++) {
    const v = parseJsonDoc(text.slice(docs[i][0], docs[i][1]), scan.bigNumbers);
    if (v === undefined) anomaly(ctx, target, `JSON document ${i} does not parse`);
    else walkJson(ctx, target, v, `$[${i}]`, baseKey);
  }
  return true;
}

/** Adds a `json:<path>` leaf under `container` for every string and number in `v`. */
function walkJson(ctx: Ctx, container: DecodeNode, v: unknown, path: string, key: string | null): void {
  if (ctx.stopped) return;
  if (typeof v === 'string') {
    if (v.length === 0) return;
    const leaf = makeNode(ctx, container, `json:${path}`, 'text', key);
    if (leaf === null) return;
    container.children.push(leaf);
    expandText(ctx, leaf, v, IN_JSON);
  } else if (typeof v === 'number' || v instanceof JsonBigInt) {
    const leaf = makeNode(ctx, container, `json:${path}`, 'text', key);
    if (leaf === null) return;
    container.children.push(leaf);
    leaf.value = typeof v === 'number' ? String(v) : v.text;
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length && !ctx.stopped; i++) walkJson(ctx, container, v[i], `${path}[${i}]`, key);
  } else if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      if (ctx.stopped) return;
      walkJson(ctx, container, (v as Record<string, unknown>)[k], jsonPathKey(path, k), k);
    }
  }
}

// ---------------------------------------------------------------------------
// Bytes

/** Media whose bytes are never personal-data carriers we can read. */
function isOpaqueMedia(ct: string): boolean {
  return ct.startsWith('image/') || ct.startsWith('video/') || ct.startsWith('audio/') || ct.startsWith('font/');
}

/**
 * Expands binary content into `node`. True when it was recognised (compressed, a
 * multipart body, text by `strictness`, or a protobuf message), false when it stays
 * opaque binary.
 */
function expandBytes(ctx: Ctx, node: DecodeNode, buf: Buffer, f: Flags, strictness: TextStrictness): boolean {
  node.kind = 'binary';
  node.size = buf.length;
  if (buf.length === 0 || ctx.stopped) return false;
  if (!spend(ctx, node, buf.length)) return false;
  if (isOpaqueMedia(f.contentType)) return false;

  const codec = f.encoding ?? sniffCodec(buf);
  // A zlib header is only two bytes and "x^" starts some texts: if it does not
  // decompress (or may not be tried), the bytes are read as something else.
  const weakHeader = codec === 'zlib' && f.encoding === null;
  if (codec !== null && (node.steps.length < ctx.lim.maxDepth || !weakHeader)) {
    if (!canDescend(ctx, node, codec)) return true;
    const r = decompressInto(ctx, node, buf, codec, f, false);
    if (r !== 'failed') return true;
  }

  const boundary = boundaryFromContentType(f.rawContentType) ?? (buf[0] === 0x2d ? sniffBoundary(buf) : null);
  if (boundary !== null) {
    const mp = parseMultipart(buf, boundary, Math.max(0, ctx.lim.maxNodes - ctx.nodes));
    if (mp !== null && mp.parts.length > 0) {
      if (!canDescend(ctx, node, 'multipart')) return true;
      becomeContainer(node, 'multipart');
      delete node.size;
      for (let i = 0; i < mp.parts.length; i++) {
        const part = mp.parts[i];
        const name = part.name ?? `#${i}`;
        const child = makeNode(ctx, node, `multipart:${name}`, 'binary', part.name);
        if (child === null) return true;
        node.children.push(child);
        const ct = part.contentType ?? '';
        const pf: Flags = { ...PLAIN, contentType: ct.toLowerCase(), rawContentType: ct };
        expandBytes(ctx, child, part.body, pf, 'loose');
      }
      if (mp.more && !ctx.stopped) {
        ctx.stopped = true;
        anomaly(ctx, node, `multipart: more parts than the node limit (${ctx.lim.maxNodes})`);
      }
      return true;
    }
  }

  const text = bytesAsText(buf, strictness);
  if (text !== null) {
    delete node.size;
    expandText(ctx, node, text, f.encoding !== null || f.compressed ? { ...f, encoding: null, compressed: false } : f);
    return true;
  }

  if (node.steps.length >= ctx.lim.maxDepth) return false;
  const pbHint = f.contentType.includes('protobuf');
  const pb = readProtobuf(buf, ctx.lim.maxProtobufDepth, Math.max(0, ctx.lim.maxNodes - ctx.nodes));
  if (pb !== null && (pb.strings > 0 || pbHint)) {
    becomeContainer(node, 'protobuf');
    addProtobuf(ctx, node, buf, pb.fields, '');
    return true;
  }

  // Headerless codecs: only when hinted, or on a probe that reads as text.
  if (f.compressed || buf.length >= TRIAL_MIN_BYTES) {
    for (const c of ['deflate', 'brotli'] as const) {
      const p = probe(c, buf);
      if (p === null || bytesAsText(p, p.length >= 64 ? 'loose' : 'decoded') === null) continue;
      if (decompressInto(ctx, node, buf, c, f, true) !== 'failed') return true;
    }
  }
  return false;
}

/**
 * Decompresses `buf` into a `codec` child of `node`. 'limited' when a limit stopped
 * it (anomaly recorded), 'failed' when the data was not of that codec. A `guess`
 * (headerless codec tried on unknown bytes) is kept only if it yields text.
 */
function decompressInto(ctx: Ctx, node: DecodeNode, buf: Buffer, codec: Codec, f: Flags, guess: boolean): 'ok' | 'limited' | 'failed' {
  const lim = ctx.lim;
  const budget = lim.maxOutputBytes - ctx.out;
  const byRatio = Math.max(lim.expansionFloorBytes, buf.length * lim.maxExpansionRatio);
  const cap = Math.min(lim.maxDecompressedBytes, budget, byRatio);
  if (cap <= 0) {
    anomaly(ctx, node, `${codec} not decoded: the payload's ${mib(lim.maxOutputBytes)} output budget is spent`);
    return 'limited';
  }
  spend(ctx, node, buf.length);
  // A gzip header (3 bytes, not text) or a declared encoding is good enough to keep a
  // cut stream; a 2-byte zlib header or a guess must decompress completely.
  const declared = f.encoding === codec || f.compressed;
  let r = decompress(codec, buf, cap, codec === 'gzip' || declared);
  if (!r.ok && !r.tooLarge && declared && codec === 'zlib') r = decompress('deflate', buf, cap, true);
  if (!r.ok) {
    if (!r.tooLarge) {
      if (codec === 'gzip') anomaly(ctx, node, `gzip header but the stream does not decompress: ${r.error}`);
      return 'failed';
    }
    let why: string;
    if (cap === byRatio) why = `${codec} expansion beyond ${lim.maxExpansionRatio}× (decompression bomb?)`;
    else if (cap === budget) why = `${codec} output would pass the payload's ${mib(lim.maxOutputBytes)} budget`;
    else why = `${codec} output beyond the ${mib(lim.maxDecompressedBytes)} cap (decompression bomb?)`;
    anomaly(ctx, node, why);
    return 'limited';
  }
  if (guess) {
    // A guessed codec must give back text, and more of it than went in: compressed
    // text always grows back, garbage that happens to inflate seldom does.
    const out = r.bytes;
    if (out.length * (f.compressed ? 2 : 1) < buf.length) return 'failed';
    if (bytesAsText(out, out.length >= 64 ? 'loose' : 'decoded') === null) return 'failed';
  }
  const realCodec = r.codec;
  ctx.out += r.bytes.length;
  const child = makeNode(ctx, node, realCodec, 'binary', undefined);
  if (child === null) return 'limited';
  node.children.push(child);
  node.encoded = true;
  if (r.truncated) anomaly(ctx, child, `${realCodec} stream cut short; decoded the part present`);
  const cf: Flags = { ...PLAIN, contentType: f.contentType, rawContentType: f.rawContentType };
  expandBytes(ctx, child, r.bytes, cf, 'loose');
  return 'ok';
}

/** Adds protobuf fields under `node` as `protobuf:<path>` leaves (nested messages flattened into the path). */
function addProtobuf(ctx: Ctx, node: DecodeNode, buf: Buffer, fields: PbValue[], prefix: string): void {
  // A field number seen more than once in a message gets an occurrence index.
  let counts: Map<number, number> | null = null;
  if (fields.length > 1) {
    counts = new Map();
    for (const fl of fields) counts.set(fl.no, (counts.get(fl.no) ?? 0) + 1);
  }
  const seen = new Map<number, number>();
  for (const fl of fields) {
    if (ctx.stopped) return;
    let label = prefix + fl.no;
    if (counts !== null && (counts.get(fl.no) ?? 0) > 1) {
      const i = seen.get(fl.no) ?? 0;
      seen.set(fl.no, i + 1);
      label += `[${i}]`;
    }
    if (fl.t === 'message') {
      addProtobuf(ctx, node, buf, fl.fields, label + '.');
      continue;
    }
    if (fl.t === 'fixed') continue;
    const child = makeNode(ctx, node, `protobuf:${label}`, fl.t === 'bytes' ? 'binary' : 'text', null);
    if (child === null) return;
    node.children.push(child);
    if (fl.t === 'varint') child.value = fl.text;
    else if (fl.t === 'string') expandText(ctx, child, fl.text, PLAIN);
    else expandBytes(ctx, child, buf.subarray(fl.start, fl.end), PLAIN, 'loose');
  }
}

// ---------------------------------------------------------------------------
// Entry points

function flagsFromHint(hint: DecodeHint | undefined): Flags {
  if (hint === undefined) return PLAIN;
  const name = (hint.name ?? '').toLowerCase();
  return {
    inJson: false,
    compressed: false,
    contentType: (hint.contentType ?? '').trim().toLowerCase(),
    rawContentType: (hint.contentType ?? '').trim(),
    encoding: codecFromEncoding(hint.contentEncoding),
    query: name === 'query' || name === 'querystring' || name === 'query string',
  };
}

/** Every string leaf under `root`: nodes with a value that was not decoded as a whole into children. */
export function leavesOf(root: DecodeNode): DecodeLeaf[] {
  const out: DecodeLeaf[] = [];
  const stack: DecodeNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as DecodeNode;
    if (n.value !== undefined && n.encoded !== true) out.push({ chain: n.path, steps: n.steps, key: n.key, value: n.value });
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

/**
 * Decodes a payload recursively into a tree of decode chains. Never throws; limits
 * that trip are listed in `anomalies`.
 */
export function decodePayload(input: Buffer | string, opts?: DecodeLimits, hint?: DecodeHint): DecodeResult {
  const lim: Required<DecodeLimits> = { ...DEFAULT_DECODE_LIMITS };
  if (opts) for (const k of Object.keys(opts) as Array<keyof DecodeLimits>) if (opts[k] !== undefined) lim[k] = opts[k] as number;
  const ctx: Ctx = { lim, nodes: 1, out: 0, work: 0, anomalies: [], stopped: false };
  const root: DecodeNode = { path: '', steps: [], kind: 'text', key: null, children: [] };
  const f = flagsFromHint(hint);
  try {
    if (typeof input === 'string') {
      const text = f.query && input.charCodeAt(0) === 0x3f ? input.slice(1) : input;
      expandText(ctx, root, text, f);
    } else {
      expandBytes(ctx, root, input, f, 'loose');
    }
  } catch (e) {
    // A bug must not take an import down: the tree so far is still evidence.
    ctx.anomalies.push({ chain: '', error: `decoder error: ${e instanceof Error ? e.message : String(e)}` });
  }
  return {
    root,
    anomalies: ctx.anomalies,
    nodeCount: ctx.nodes,
    outputBytes: ctx.out,
    leaves: () => leavesOf(root),
  };
}
