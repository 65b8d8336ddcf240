import { describe, expect, it } from 'vitest';
import {
  checkAndroidId, checkEmail, checkImei, checkMac, checkPhone, checkUuid, classifyShape, classifyValue, emailsIn, headerKey,
  isTimestampNear, luhnValid, normaliseKey,
} from '../../../electron/engine/correlate/identifiers.ts';

const T = Date.UTC(2020, 3, 21, 9, 0, 0);

describe('identifier keys', () => {
  it('normalises case, $, _, - and dots so that spellings of one key meet', () => {
    for (const k of ['device_id', '$device_id', 'deviceId', 'Device-ID', 'device.id', 'DEVICEID']) expect(normaliseKey(k)).toBe('deviceid');
    expect(headerKey('X-Device-Id')).toBe('deviceid');
    expect(headerKey('X-Android-ID')).toBe('androidid');
  });

  it('gives kind and scope by key, and validates the value for that kind', () => {
    expect(classifyValue('android_id', '9774d56d682e549c', T)).toEqual({ kind: 'android_id', scope: 'device', value: '9774d56d682e549c', basis: 'key' });
    expect(classifyValue('$device_id', 'A1B2C3D4E5F6', T)).toMatchObject({ kind: 'device_id', scope: 'device', basis: 'key' });
    expect(classifyValue('gaid', '38400000-8CF0-11BD-B23E-10B96E40000D', T)).toMatchObject({ kind: 'advertising_id', value: '38400000-8cf0-11bd-b23e-10b96e40000d' });
    expect(classifyValue('email', 'Alice@Example.org', T)).toMatchObject({ kind: 'email', scope: 'account', value: 'alice@example.org' });
    expect(classifyValue('user_id', '6254731980', T)).toMatchObject({ kind: 'user_id', scope: 'account' });
    expect(classifyValue('msisdn', '+49 151 2345 6789', T)).toMatchObject({ kind: 'phone', value: '+4915123456789' });
    // A key that names an identifier does not make any value one.
    expect(classifyValue('android_id', 'not hex at all', T)).toBeNull();
    expect(classifyValue('imei', '490154203237517', T)).toBeNull();
    expect(classifyValue('idfa', '00000000-0000-0000-0000-000000000000', T)).toBeNull();
  });

  it('ignores flags, constants, short numbers and timestamps, whatever the key', () => {
    for (const v of ['true', 'false', '0', '1', 'null', 'undefined', 'unknown', '(null)']) expect(classifyValue('device_id', v, T)).toBeNull();
    expect(classifyValue('uid', '42', T)).toBeNull();
    expect(classifyValue('user_id', '1234', T)).toBeNull();
    // The request's own time, in seconds and in milliseconds, sent under an id-like key.
    expect(classifyValue('uid', String(Math.floor(T / 1000)), T)).toBeNull();
    expect(classifyValue('client_id', String(T + 500), T)).toBeNull();
    // Android's placeholder MAC for apps without permission (documented since Android 6.0).
    expect(classifyValue('mac', '02:00:00:00:00:00', T)).toBeNull();
  });

  it('reads distinct_id as an account when it looks like one, else as a device', () => {
    expect(classifyValue('distinct_id', 'bob@example.net', T)).toMatchObject({ kind: 'distinct_id', scope: 'account' });
    expect(classifyValue('distinct_id', '5f1c3e9a-8b2d-4c7e-9f3a-2d6b8e4c1a07', T)).toMatchObject({ scope: 'device' });
  });

  it('treats client_id/cid as a Google Analytics client id or a UUID only', () => {
    expect(classifyValue('cid', '1866496610.1510221160', T)).toMatchObject({ kind: 'client_id', value: '1866496610.1510221160' });
    expect(classifyValue('_ga', 'GA1.2.1866496610.1510221160', T)).toMatchObject({ kind: 'client_id', value: '1866496610.1510221160' });
    // An OAuth client id names an app, not a device.
    expect(classifyValue('client_id', '1234567890-abc.apps.googleusercontent.com', T)).toBeNull();
  });
});

describe('identifier shapes', () => {
  it('checks Luhn on the textbook example and on the IMEI example of the IMEI article', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(checkImei('490154203237518')).toBe('490154203237518');
    expect(checkImei('49-015420-323751-8')).toBe('490154203237518');
    expect(checkImei('490154203237519')).toBeNull();
    // Luhn-valid but with a first two digits no reporting body uses.
    const base = '20015420323751';
    const withCheck = [...'0123456789'].map((d) => base + d).find((s) => luhnValid(s)) as string;
    expect(checkImei(withCheck)).toBeNull();
  });

  it('accepts MACs in colon, dash and bare form, never placeholders', () => {
    expect(checkMac('3C:BD:3E:5A:10:23')).toBe('3c:bd:3e:5a:10:23');
    expect(checkMac('3c-bd-3e-5a-10-23')).toBe('3c:bd:3e:5a:10:23');
    expect(checkMac('3cbd3e5a1023')).toBeNull();
    expect(checkMac('3cbd3e5a1023', true)).toBe('3c:bd:3e:5a:10:23');
    expect(checkMac('00:00:00:00:00:00')).toBeNull();
    expect(checkMac('ff:ff:ff:ff:ff:ff')).toBeNull();
    expect(checkMac('3c:bd:3e:5a:10')).toBeNull();
  });

  it('accepts UUIDs but not the nil UUID', () => {
    expect(checkUuid('5F1C3E9A-8B2D-4C7E-9F3A-2D6B8E4C1A07')).toBe('5f1c3e9a-8b2d-4c7e-9f3a-2d6b8e4c1a07');
    expect(checkUuid('00000000-0000-0000-0000-000000000000')).toBeNull();
    expect(checkUuid('5f1c3e9a8b2d4c7e9f3a2d6b8e4c1a07')).toBeNull();
  });

  it('accepts e-mail addresses and E.164 numbers with plausibility checks', () => {
    expect(checkEmail('alice.example@xiaomi.com')).toBe('alice.example@xiaomi.com');
    for (const bad of ['a@b', '@x.org', 'a..b@x.org', 'a@x.o', 'two words@x.org']) expect(checkEmail(bad)).toBeNull();
    expect(checkPhone('+4915123456789', true)).toBe('+4915123456789');
    expect(checkPhone('015123456789', true)).toBeNull();
    expect(checkPhone('015123456789', false)).toBe('015123456789');
    for (const bad of ['+1234567890', '+0049151234567', '+11111111111', '+49 151', '+49151234567890123']) expect(checkPhone(bad, true)).toBeNull();
  });

  it('accepts Android IDs of 13 to 16 hex digits', () => {
    expect(checkAndroidId('9774D56D682E549C')).toBe('9774d56d682e549c');
    expect(checkAndroidId('774d56d682e549c')).toBe('774d56d682e549c');
    expect(checkAndroidId('0000000000000000')).toBeNull();
    expect(checkAndroidId('9774d56d682e549g')).toBeNull();
  });

  it('recognises identifiers by shape alone, and nothing else', () => {
    expect(classifyShape('490154203237518')).toMatchObject({ kind: 'imei', scope: 'device', basis: 'shape' });
    expect(classifyShape('3c:bd:3e:5a:10:23')).toMatchObject({ kind: 'mac' });
    expect(classifyShape('5f1c3e9a-8b2d-4c7e-9f3a-2d6b8e4c1a07')).toMatchObject({ kind: 'uuid', scope: 'other' });
    expect(classifyShape('bob@example.net')).toMatchObject({ kind: 'email', scope: 'account' });
    expect(classifyShape('+4915123456789')).toMatchObject({ kind: 'phone' });
    for (const v of ['hello world', '1587459604800', 'ffffffffffffffff', '12345678', 'https://a.example/x']) expect(classifyShape(v)).toBeNull();
  });

  it('finds e-mail addresses inside longer text', () => {
    expect(emailsIn('user=Bob@Example.net:secret; cc <carol@mail.example.org>.')).toEqual(['bob@example.net', 'carol@mail.example.org']);
    expect(emailsIn('no address @ here')).toEqual([]);
  });

  it('knows the request time when it sees one', () => {
    expect(isTimestampNear('1587459600', T)).toBe(true);
    expect(isTimestampNear('1587459600123', T)).toBe(true);
    expect(isTimestampNear('1387459600', T)).toBe(false);
    expect(isTimestampNear('158745960', T)).toBe(false);
  });
});
