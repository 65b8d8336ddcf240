/**
 * Which decoded values are identifiers: by the key they were sent under (device_id,
 * android_id, email, …) and by their shape (IMEI with Luhn, MAC, UUID, e-mail, E.164
 * phone). A value is kept only if it passes the validation of its kind, so that the
 * timestamps, flags and constants that fill analytics payloads never become
 * "identifiers". Rules and their limits are described in docs/findings.md.
 */

export type IdentifierScope = 'device' | 'account' | 'other';

/** How an identifier was recognised: its key, its shape alone, or its value being known already. */
export type IdentifierBasis = 'key' | 'shape' | 'value';

export interface IdentifierHit {
  /** Canonical kind: 'android_id', 'imei', 'email', 'user_id', … */
  kind: string;
  scope: IdentifierScope;
  /** Value as identified (normalised: lower-case hex/UUID/MAC/e-mail, phone digits with '+'). */
  value: string;
  basis: IdentifierBasis;
}

interface KeyRule {
  kind: string;
  scope: IdentifierScope;
  check: (v: string) => string | null;
}

const HEX = /^[0-9a-f]+$/i;
const DIGITS = /^[0-9]+$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAC_RE = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;
const EMAIL_RE = /^[a-z0-9._%+-]{1,64}@(?:[a-z0-9-]{1,63}\.)+[a-z]{2,24}$/i;
/** Characters an opaque identifier is made of; spaces and most punctuation mean prose or structure. */
const TOKEN_RE = /^[A-Za-z0-9._:+=/-]+$/;

/**
 * Values that fill identifier fields when there is no identifier: placeholders, the
 * nil UUID, Android's fake MAC for apps without the permission, zeroed advertising IDs.
 */
const CONSTANTS = new Set([
  '0', '1', '-1', 'true', 'false', 'null', 'nil', 'none', 'undefined', 'unknown', 'n/a', 'na', 'default', 'test',
  'guest', 'anonymous', 'anon', 'empty', '(null)', '[object object]', 'nan', '-', '--', 'unset', 'notset', 'not_set',
  'null_id', 'deviceid', 'device_id', 'user_id', 'userid', 'uuid', 'idfa', 'gaid', 'undefined_id', 'placeholder',
  '00000000-0000-0000-0000-000000000000', '0000000000000000', '000000000000000', '02:00:00:00:00:00',
  '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', 'ffffffffffffffff', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
]);

/** Lower-case, without `$`, `_`, `-`, `.` and spaces: `$device_id`, `Device-ID` and `deviceId` meet. */
export function normaliseKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x24 || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x20) continue;
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 32) : key[i];
  }
  return out;
}

/** Header name as a key: `X-Device-Id` → `deviceid` (the conventional `x-` prefix says nothing). */
export function headerKey(name: string): string {
  const n = name.toLowerCase();
  return normaliseKey(n.startsWith('x-') ? n.slice(2) : n);
}

/** Luhn check digit test over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/** GSMA reporting-body prefixes of IMEI type allocation codes; other first digits are not IMEIs. */
const IMEI_RBI = new Set(['01', '10', '30', '33', '35', '44', '45', '49', '50', '51', '52', '53', '54', '86', '91', '98', '99']);

function allSame(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) !== s.charCodeAt(0)) return false;
  return true;
}

/** '0123456789', '123456789012': keyboard runs typed into test fields. */
function isRun(digits: string): boolean {
  if (digits.length < 6) return false;
  let up = true;
  let down = true;
  for (let i = 1; i < digits.length; i++) {
    const d = (digits.charCodeAt(i) - digits.charCodeAt(i - 1) + 10) % 10;
    if (d !== 1) up = false;
    if (d !== 9) down = false;
  }
  return up || down;
}

/** A 15-digit IMEI with a valid Luhn digit and a known reporting-body prefix. */
export function checkImei(v: string): string | null {
  const s = v.replace(/[\s-]/g, '');
  if (s.length !== 15 || !DIGITS.test(s) || allSame(s) || !IMEI_RBI.has(s.slice(0, 2))) return null;
  return luhnValid(s) ? s : null;
}

/** A MAC address (':' or '-' separated, or 12 hex digits), as lower-case colon form; not a placeholder. */
export function checkMac(v: string, bare = false): string | null {
  let hex: string;
  if (MAC_RE.test(v)) hex = v.replace(/[:-]/g, '');
  else if (bare && v.length === 12 && HEX.test(v)) hex = v;
  else return null;
  hex = hex.toLowerCase();
  const mac = hex.match(/../g)?.join(':') ?? '';
  if (CONSTANTS.has(mac) || allSame(hex)) return null;
  return mac;
}

/** A UUID other than the nil and all-ones UUIDs, lower-case. */
export function checkUuid(v: string): string | null {
  if (v.length !== 36 || !UUID_RE.test(v)) return null;
  const u = v.toLowerCase();
  return CONSTANTS.has(u) ? null : u;
}

/** An e-mail address, lower-case. */
export function checkEmail(v: string): string | null {
  if (v.length > 254 || !EMAIL_RE.test(v)) return null;
  const e = v.toLowerCase();
  const at = e.indexOf('@');
  const local = e.slice(0, at);
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  return e;
}

/**
 * A phone number: with `requirePlus`, E.164 as sent ('+' then 8–15 digits); without,
 * 8–15 digits with common separators (under a phone key). Runs and repeated digits are
 * test input, not numbers. Returned as '+digits' or 'digits'.
 */
export function checkPhone(v: string, requirePlus: boolean): string | null {
  const t = v.trim();
  const plus = t.startsWith('+') || t.startsWith('00');
  if (requirePlus && !t.startsWith('+')) return null;
  const digits = t.replace(/^\+|^00/, '').replace(/[\s().-]/g, '');
  if (!DIGITS.test(digits) || digits.length < 8 || digits.length > 15) return null;
  if (requirePlus && /[^0-9+\s().-]/.test(t)) return null;
  if (plus && digits.charCodeAt(0) === 48) return null;
  if (allSame(digits) || isRun(digits)) return null;
  return plus ? `+${digits}` : digits;
}

/** Hexadecimal Android ID (SSAID): 16 hex digits (13–16 when leading zeros were dropped), lower-case. */
export function checkAndroidId(v: string): string | null {
  if (v.length < 13 || v.length > 16 || !HEX.test(v)) return null;
  const h = v.toLowerCase();
  return allSame(h) || CONSTANTS.has(h) ? null : h;
}

/** True for numbers that read as epoch seconds or milliseconds within two days of `nearMs`. */
export function isTimestampNear(v: string, nearMs: number): boolean {
  if (!DIGITS.test(v) || (v.length !== 10 && v.length !== 13)) return false;
  const ms = v.length === 10 ? Number(v) * 1000 : Number(v);
  return Math.abs(ms - nearMs) <= 2 * 86_400_000;
}

/**
 * Generic opaque identifier (device_id, serial, user_id …): a token of 4–128 characters
 * without spaces, not a constant, not one repeated character, not a URL, not a decimal
 * fraction or a short number.
 */
export function checkToken(v: string, minLen = 4): string | null {
  const s = v.trim();
  if (s.length < minLen || s.length > 128 || !TOKEN_RE.test(s)) return null;
  const low = s.toLowerCase();
  if (CONSTANTS.has(low) || allSame(low)) return null;
  if (low.startsWith('http:') || low.startsWith('https:') || low.startsWith('//')) return null;
  if (/^-?\d+\.\d+$/.test(s)) return null;
  if (DIGITS.test(s) && s.length < 5) return null;
  return s;
}

function uuidOrToken(v: string): string | null {
  return checkUuid(v) ?? (HEX.test(v) && v.length >= 16 ? v.toLowerCase() : checkToken(v, 8));
}

/**
 * A Google Analytics client id ('1234567890.1587459604', or the '_ga' cookie
 * 'GA1.2.<id>.<time>'), or a UUID. Other values under client_id/cid are usually an
 * app's OAuth client or a campaign id, which name no device.
 */
function checkGaClientId(v: string): string | null {
  const m = /^(?:GA\d\.\d+\.)?(\d{5,12}\.\d{9,10})$/.exec(v.trim());
  if (m) return m[1];
  return checkUuid(v);
}

const DEVICE_TOKEN: (v: string) => string | null = (v) => checkUuid(v) ?? checkToken(v, 6);

/** Key (normalised) → kind, scope and validation. */
const KEY_RULES = new Map<string, KeyRule>();

function rule(keys: string[], kind: string, scope: IdentifierScope, check: (v: string) => string | null): void {
  for (const k of keys) KEY_RULES.set(k, { kind, scope, check });
}

rule(['deviceid', 'devid', 'deviceuid', 'hwid', 'hardwareid'], 'device_id', 'device', DEVICE_TOKEN);
rule(['androidid', 'ssaid'], 'android_id', 'device', checkAndroidId);
rule(['imei', 'imei1', 'imei2', 'deviceimei'], 'imei', 'device', checkImei);
rule(['meid'], 'meid', 'device', (v) => (v.length === 14 && HEX.test(v) && !allSame(v) ? v.toLowerCase() : null));
rule(['oaid'], 'oaid', 'device', uuidOrToken);
rule(['gaid', 'adid', 'advertisingid', 'googleadid', 'aaid', 'gpsadid', 'adidentifier'], 'advertising_id', 'device', uuidOrToken);
rule(['idfa'], 'idfa', 'device', checkUuid);
rule(['idfv', 'identifierforvendor'], 'idfv', 'device', checkUuid);
rule(['mac', 'macaddr', 'macaddress', 'wifimac', 'wlanmac', 'devicemac'], 'mac', 'device', (v) => checkMac(v, true));
rule(['serial', 'serialno', 'serialnumber', 'deviceserial'], 'serial', 'device', (v) => checkToken(v, 6));
rule(['uuid', 'udid', 'deviceuuid'], 'uuid', 'device', uuidOrToken);
rule(['installid', 'installationid', 'appinstanceid'], 'install_id', 'device', uuidOrToken);
rule(['clientid', 'cid', 'ga'], 'client_id', 'device', checkGaClientId);
rule(['anonymousid', 'anonid'], 'anonymous_id', 'device', uuidOrToken);
rule(['iccid', 'simserial'], 'iccid', 'device', (v) => (/^89\d{17,18}$/.test(v) && luhnValid(v) ? v : null));
rule(['account', 'accountid', 'accountname', 'xiaomiid', 'miid'], 'account', 'account', (v) => checkEmail(v) ?? checkToken(v, 3));
rule(['userid', 'uid', 'username', 'loginid', 'customerid', 'memberid'], 'user_id', 'account', (v) => checkEmail(v) ?? checkToken(v, 3));
rule(['email', 'emailaddress', 'mail', 'useremail'], 'email', 'account', checkEmail);
rule(['phone', 'phonenumber', 'mobile', 'msisdn', 'tel', 'mobilenumber'], 'phone', 'account', (v) => checkPhone(v, false));
rule(['imsi'], 'imsi', 'account', (v) => (/^[2-7]\d{14}$/.test(v) && !allSame(v) ? v : null));
rule(['distinctid'], 'distinct_id', 'other', (v) => checkEmail(v) ?? checkToken(v, 4));

/** The rule for a normalised key, if the key names an identifier. */
export function keyRule(normalisedKey: string): { kind: string; scope: IdentifierScope } | null {
  const r = KEY_RULES.get(normalisedKey);
  return r ? { kind: r.kind, scope: r.scope } : null;
}

/**
 * Classify a decoded value sent under `key` (null when the key is unknown or absent).
 * `nearMs` is the request time, to recognise timestamps. Returns null when the value
 * is not an identifier.
 */
export function classifyValue(key: string | null, raw: string, nearMs: number): IdentifierHit | null {
  const v = raw.trim();
  if (v.length < 3 || v.length > 256) return null;
  if (CONSTANTS.has(v.toLowerCase())) return null;
  if (isTimestampNear(v, nearMs)) return null;
  if (key !== null) {
    const r = KEY_RULES.get(normaliseKey(key));
    if (r) {
      const value = r.check(v);
      if (value === null) return null;
      let scope = r.scope;
      // distinct_id is the anonymous device id until a login replaces it with the user's id.
      if (r.kind === 'distinct_id') scope = checkEmail(v) !== null || (DIGITS.test(v) && v.length < 16) ? 'account' : 'device';
      return { kind: r.kind, scope, value, basis: 'key' };
    }
  }
  return classifyShape(v);
}

/** Identifiers recognised by shape alone (no telling key). */
export function classifyShape(v: string): IdentifierHit | null {
  const c0 = v.charCodeAt(0);
  if (v.length === 15 && c0 >= 48 && c0 <= 57) {
    const imei = checkImei(v);
    if (imei) return { kind: 'imei', scope: 'device', value: imei, basis: 'shape' };
  }
  if (v.length === 17) {
    const mac = checkMac(v);
    if (mac) return { kind: 'mac', scope: 'device', value: mac, basis: 'shape' };
  }
  if (v.length === 36) {
    const u = checkUuid(v);
    if (u) return { kind: 'uuid', scope: 'other', value: u, basis: 'shape' };
  }
  if (v.indexOf('@') > 0) {
    const e = checkEmail(v);
    if (e) return { kind: 'email', scope: 'account', value: e, basis: 'shape' };
  }
  if (c0 === 0x2b) {
    const p = checkPhone(v, true);
    if (p) return { kind: 'phone', scope: 'account', value: p, basis: 'shape' };
  }
  return null;
}

/**
 * E-mail addresses inside a longer text (a JSON string, "user@x.org:password" of Basic
 * auth): found around each '@'. Whole-value addresses are handled by classifyValue.
 */
export function emailsIn(text: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let s = at;
    while (s > 0 && /[A-Za-z0-9._%+-]/.test(text[s - 1])) s--;
    let e = at + 1;
    while (e < text.length && /[A-Za-z0-9.-]/.test(text[e])) e++;
    while (e > at + 1 && text[e - 1] === '.') e--;
    if (s === at || e === at + 1) continue;
    const cand = checkEmail(text.slice(s, e));
    if (cand && !out.includes(cand)) out.push(cand);
  }
  return out;
}

/** Kinds whose sighting from two endpoints means the endpoints are one device. */
export const STRONG_DEVICE_KINDS: ReadonlySet<string> = new Set([
  'android_id', 'imei', 'meid', 'serial', 'mac', 'advertising_id', 'idfa', 'idfv', 'oaid', 'device_id', 'uuid', 'iccid',
]);

/** Shape-only kinds that are kept only when they recur in two or more requests (per-event ids do not). */
export const RECURRENCE_REQUIRED: ReadonlySet<string> = new Set(['uuid']);

/** Ranking when one value was seen as several kinds: the most specific kind names it. */
const KIND_RANK: Record<string, number> = {
  imei: 1, android_id: 2, advertising_id: 3, idfa: 3, oaid: 3, idfv: 4, mac: 5, serial: 6, meid: 6, iccid: 6, imsi: 6,
  email: 7, phone: 8, account: 9, user_id: 10, device_id: 11, install_id: 12, uuid: 13, client_id: 14,
  anonymous_id: 15, distinct_id: 16,
};

/** Lower rank = more specific kind. */
export function kindRank(kind: string): number {
  return KIND_RANK[kind] ?? 50;
}
