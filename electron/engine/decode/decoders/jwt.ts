/**
 * JSON Web Tokens (JWS compact form): `header.payload.signature`, each part base64url.
 * The header and payload are JSON that often name the account (sub, email).
 */

function isBase64UrlChar(c: number): boolean {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
}

/** The header and payload segments of a JWT, or null. Both must start like base64 of '{"'. */
export function jwtSegments(s: string): [header: string, payload: string] | null {
  if (!s.startsWith('eyJ') || s.length < 20) return null;
  const d1 = s.indexOf('.');
  const d2 = s.indexOf('.', d1 + 1);
  if (d1 < 0 || d2 < 0 || s.indexOf('.', d2 + 1) !== -1) return null;
  if (!s.startsWith('eyJ', d1 + 1)) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x2e && !isBase64UrlChar(c)) return null;
  }
  return [s.slice(0, d1), s.slice(d1 + 1, d2)];
}
