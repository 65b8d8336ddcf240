/**
 * URLs inside values: an absolute URL (`scheme://…`) or an absolute path, either with
 * a query string whose parameters are read like a form.
 */

function isSchemeChar(c: number, first: boolean): boolean {
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x7a) return true;
  if (first) return false;
  return (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** True when `s` starts with `scheme://` (scheme of 1–32 characters). */
export function hasUrlScheme(s: string): boolean {
  const colon = s.indexOf('://');
  if (colon <= 0 || colon > 32) return false;
  for (let i = 0; i < colon; i++) if (!isSchemeChar(s.charCodeAt(i), i === 0)) return false;
  return true;
}

/**
 * The query string of a URL or absolute path (between '?' and '#'), or null when `s`
 * is not such a URL, has no query, or holds whitespace (prose, not a URL).
 */
export function urlQuery(s: string): string | null {
  const first = s.charCodeAt(0);
  // An absolute path ('/collect?…') or protocol-relative URL ('//host/…') counts too.
  if (first !== 0x2f && !hasUrlScheme(s)) return null;
  const q = s.indexOf('?');
  if (q === -1) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return null;
  }
  let end = s.indexOf('#', q + 1);
  if (end === -1) end = s.length;
  return end > q + 1 ? s.slice(q + 1, end) : null;
}
