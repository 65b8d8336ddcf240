/**
 * Which requests are the user's own page visits, and which query parameters of a
 * visited page are search words. A top-level navigation is a request for an HTML
 * document: Sec-Fetch-Dest: document (browsers since 2020), else Sec-Fetch-Mode:
 * navigate, else an Accept header that asks for text/html first (older browsers).
 * Frames (Sec-Fetch-Dest: iframe) and scripts asking for HTML (X-Requested-With) are
 * not visits.
 */
import type { UrlParts } from './url-forms.ts';
import { safeDecode } from './url-forms.ts';

type Headers = ReadonlyArray<readonly [string, string]>;

function get(headers: Headers, name: string): string | null {
  for (const [n, v] of headers) if (n.toLowerCase() === name) return v;
  return null;
}

/**
 * True when the request is a top-level navigation to an HTML document. Without
 * Sec-Fetch headers (browsers before 2020) the Accept header decides, and because
 * those browsers also asked for text/html first when loading plugins, XML and OCSP, the
 * response must then be HTML too (when a response was seen).
 */
export function isNavigation(method: string, headers: Headers, responseHeaders: Headers | null | (() => Headers | null) = null): boolean {
  if (method !== 'GET' && method !== 'POST') return false;
  const byHeaders = navigationByHeaders(headers);
  if (byHeaders !== null) return byHeaders;
  return htmlResponse(typeof responseHeaders === 'function' ? responseHeaders() : responseHeaders);
}

/**
 * What the request headers alone say of a GET or POST (see isNavigation): true, false,
 * or null when the response decides (htmlResponse). It depends on the headers only, so
 * a caller that meets the same headers again may keep the answer.
 */
export function navigationByHeaders(headers: Headers): boolean | null {
  const dest = get(headers, 'sec-fetch-dest');
  if (dest !== null) return dest.trim().toLowerCase() === 'document';
  const mode = get(headers, 'sec-fetch-mode');
  if (mode !== null) return mode.trim().toLowerCase() === 'navigate';
  if (get(headers, 'x-requested-with') !== null) return false;
  const accept = get(headers, 'accept');
  if (accept === null) return false;
  const first = accept.split(',')[0].trim().toLowerCase();
  if (!first.startsWith('text/html') && !first.startsWith('application/xhtml+xml')) return false;
  return null;
}

/** The response side of isNavigation for requests that asked for HTML first: true unless a response said it is something else. */
export function htmlResponse(res: Headers | null): boolean {
  if (res === null) return true;
  const ct = get(res, 'content-type');
  if (ct === null) return true;
  const t = ct.trim().toLowerCase();
  return t.startsWith('text/html') || t.startsWith('application/xhtml+xml');
}

/** Search parameters of well-known engines, by registrable domain's first label. */
const ENGINE_PARAMS: Record<string, readonly string[]> = {
  google: ['q'], bing: ['q'], duckduckgo: ['q'], yahoo: ['p', 'q'], baidu: ['wd', 'word'], yandex: ['text'],
  ecosia: ['q'], startpage: ['query', 'q'], qwant: ['q'], naver: ['query'], so: ['q'], sogou: ['query'], ask: ['q'],
  brave: ['q'], youtube: ['search_query'], amazon: ['k'], ebay: ['_nkw'], wikipedia: ['search'], seznam: ['q'],
  daum: ['q'],
};

/** Parameters read on any page whose path contains "/search". */
const GENERIC_PARAMS = ['q', 'query', 'p', 'wd', 'text', 'search', 'keyword', 'k'];

function queryPairs(query: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const k = safeDecode((eq === -1 ? part : part.slice(0, eq)).replaceAll('+', ' '));
    const v = eq === -1 ? '' : safeDecode(part.slice(eq + 1).replaceAll('+', ' '));
    out.push([k, v]);
  }
  return out;
}

/**
 * Search words of a visited page: the engine's own parameter on a known search engine
 * (by registrable domain), or the generic parameters on a page whose path contains
 * "/search". Words are trimmed, whitespace collapsed; one-character and all-digit
 * values are not searches anyone would recognise.
 */
export function searchWords(u: UrlParts, domain: string | null): string[] {
  if (u.query.length === 0) return [];
  const label = domain === null ? '' : domain.slice(0, domain.indexOf('.'));
  const engine = ENGINE_PARAMS[label];
  let params: readonly string[] | null = null;
  if (engine !== undefined) params = engine;
  else if (u.path.toLowerCase().includes('/search')) params = GENERIC_PARAMS;
  if (params === null) return [];
  const out: string[] = [];
  for (const [k, v] of queryPairs(u.query)) {
    if (!params.includes(k.toLowerCase())) continue;
    const words = v.replace(/\s+/g, ' ').trim();
    if (words.length < 2 || /^\d+$/.test(words) || out.includes(words)) continue;
    out.push(words);
  }
  return out;
}
