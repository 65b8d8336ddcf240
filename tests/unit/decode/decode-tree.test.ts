import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePayload } from '../../../electron/engine/decode/decode-tree.ts';
import { leafMap, pbString, pbVarint } from './helpers.ts';

const EVENTS = [
  {
    event: 'page_load',
    properties: {
      url: 'https://news.example/article?id=7',
      android_id: '9774d56d682e549c',
      uuid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      account: 'alice@example.com',
    },
  },
  { event: 'search', properties: { query: 'asylum lawyer' } },
];

function motivatingBase64(): string {
  return gzipSync(Buffer.from(JSON.stringify(EVENTS))).toString('base64');
}

describe('the motivating payload: crc=…&gzip=1&data_list=base64(gzip(JSON))', () => {
  const expected: Array<[string, string]> = [
    ['form:crc', 'abc'],
    ['form:gzip', '1'],
    ['form:data_list → base64 → gzip → json:$[0].event', 'page_load'],
    ['form:data_list → base64 → gzip → json:$[0].properties.url', 'https://news.example/article?id=7'],
    ['form:data_list → base64 → gzip → json:$[0].properties.url → query:id', '7'],
    ['form:data_list → base64 → gzip → json:$[0].properties.android_id', '9774d56d682e549c'],
    ['form:data_list → base64 → gzip → json:$[0].properties.uuid', '3f2504e0-4f89-41d3-9a0c-0305e82c3301'],
    ['form:data_list → base64 → gzip → json:$[0].properties.account', 'alice@example.com'],
    ['form:data_list → base64 → gzip → json:$[1].event', 'search'],
    ['form:data_list → base64 → gzip → json:$[1].properties.query', 'asylum lawyer'],
  ];

  it('finds every value with its exact chain (form value percent-encoded)', () => {
    const body = 'crc=abc&gzip=1&data_list=' + encodeURIComponent(motivatingBase64());
    const r = decodePayload(body);
    expect([...leafMap(r)]).toEqual(expected);
    expect(r.anomalies).toEqual([]);
    expect(r.root.kind).toBe('form');
    const leaves = r.leaves();
    const url = leaves.find((l) => l.key === 'url');
    expect(url?.steps).toEqual(['form:data_list', 'base64', 'gzip', 'json:$[0].properties.url']);
    expect(leaves.find((l) => l.key === 'android_id')?.value).toBe('9774d56d682e549c');
    // Intermediate nodes keep their kinds: base64 gave bytes, gzip gave JSON.
    const dataList = r.root.children[2];
    expect(dataList.encoded).toBe(true);
    expect(dataList.children[0].kind).toBe('binary');
    expect(dataList.children[0].children[0].kind).toBe('json');
    expect(dataList.children[0].children[0].path).toBe('form:data_list → base64 → gzip');
  });

  it('also reads base64 sent without percent-encoding ("+" arrives as a space)', () => {
    // Make sure the quirk is exercised: the base64 must hold a '+'.
    let b64 = '';
    for (let i = 0; !b64.includes('+'); i++) {
      b64 = gzipSync(Buffer.from(JSON.stringify([...EVENTS, { n: i }]))).toString('base64');
    }
    const r = decodePayload('crc=abc&gzip=1&data_list=' + b64);
    const m = leafMap(r);
    expect(m.get('form:data_list → base64 → gzip → json:$[0].properties.account')).toBe('alice@example.com');
  });

  it('reads the same body given as bytes with its Content-Type', () => {
    const body = Buffer.from('crc=abc&gzip=1&data_list=' + encodeURIComponent(motivatingBase64()));
    const r = decodePayload(body, undefined, { contentType: 'application/x-www-form-urlencoded; charset=UTF-8' });
    expect([...leafMap(r)]).toEqual(expected);
  });
});

describe('base64', () => {
  it('decodes URL-safe base64 without padding inside a query parameter', () => {
    // Grow the note until the encoding uses a URL-safe character and needs padding.
    let note = '??>>~~';
    let enc = '';
    for (;;) {
      enc = Buffer.from(JSON.stringify({ email: 'alice@example.com', note })).toString('base64url');
      if (/[-_]/.test(enc) && enc.length % 4 !== 0) break;
      note += '?';
    }
    const r = decodePayload(`https://t.example/p?d=${enc}&v=2`);
    const m = leafMap(r);
    expect(m.get('query:d → base64url → json:$.email')).toBe('alice@example.com');
    expect(m.get('query:d → base64url → json:$.note')).toBe(note);
    expect(m.get('query:v')).toBe('2');
    // The URL itself is a leaf: its host and path matter to leak matching.
    expect(m.get('')).toBe(`https://t.example/p?d=${enc}&v=2`);
  });

  it('decodes a Mixpanel-style data= body (base64 JSON, no compression)', () => {
    const data = Buffer.from(JSON.stringify([{ event: 'View', properties: { distinct_id: 'u-4242', $device_id: '18c0a1b2c3d' } }])).toString('base64');
    const r = decodePayload(`data=${encodeURIComponent(data)}&ip=1`);
    const leaves = r.leaves();
    const dev = leaves.find((l) => l.key === '$device_id');
    expect(dev?.chain).toBe('form:data → base64 → json:$[0].properties.$device_id');
    expect(dev?.value).toBe('18c0a1b2c3d');
  });

  it('keeps the original of a guessed decoding that gives plain text as a leaf too', () => {
    const r = decodePayload('u=' + Buffer.from('alice@example.com').toString('base64'));
    const m = leafMap(r);
    expect(m.get('form:u → base64')).toBe('alice@example.com');
    expect(m.get('form:u')).toBe('YWxpY2VAZXhhbXBsZS5jb20=');
  });

  it('decodes a data: URL', () => {
    const r = decodePayload('data:application/json;base64,' + Buffer.from('{"id":"abc-123"}').toString('base64'));
    expect(leafMap(r).get('base64 → json:$.id')).toBe('abc-123');
  });
});

describe('JSON', () => {
  it('reads JSON inside a JSON string (jsonstr)', () => {
    const inner = JSON.stringify({ user: { email: 'alice@example.com', ids: ['a1', 'b2'] } });
    const r = decodePayload(JSON.stringify({ type: 'batch', payload: inner }));
    const m = leafMap(r);
    expect(m.get('json:$.payload → jsonstr → json:$.user.email')).toBe('alice@example.com');
    expect(m.get('json:$.payload → jsonstr → json:$.user.ids[1]')).toBe('b2');
    expect(m.get('json:$.type')).toBe('batch');
    expect(m.has('json:$.payload')).toBe(false); // stood for by its decoding
    expect(r.leaves().find((l) => l.value === 'b2')?.key).toBe('ids');
  });

  it('reads JSON in a query parameter of a URL inside JSON', () => {
    const d = encodeURIComponent(JSON.stringify({ id: 'abc123', q: 'asylum lawyer' }));
    const r = decodePayload(JSON.stringify({ ref: `https://t.example/p?d=${d}#top` }));
    const m = leafMap(r);
    expect(m.get('json:$.ref → query:d → json:$.id')).toBe('abc123');
    expect(m.get('json:$.ref → query:d → json:$.q')).toBe('asylum lawyer');
    expect(m.get('json:$.ref')).toBe(`https://t.example/p?d=${d}#top`);
  });

  it('reads a percent-encoded value inside JSON (url step)', () => {
    const r = decodePayload(JSON.stringify({ page: 'https%3A%2F%2Fnews.example%2Fa%3Fid%3D7' }));
    const m = leafMap(r);
    expect(m.get('json:$.page → url')).toBe('https://news.example/a?id=7');
    expect(m.get('json:$.page → url → query:id')).toBe('7');
  });

  it('reads JSON in a form field (an Adjust-style body) and in a percent-encoded JSON string', () => {
    const body = 'app_token=abc123&callback_params=' + encodeURIComponent('{"user":"alice@example.com","n":3}') + '&gps_adid=38400000-8cf0-11bd-b23e-10b96e40000d';
    const m = leafMap(decodePayload(body));
    expect([...m]).toEqual([
      ['form:app_token', 'abc123'],
      ['form:callback_params → json:$.user', 'alice@example.com'],
      ['form:callback_params → json:$.n', '3'],
      ['form:gps_adid', '38400000-8cf0-11bd-b23e-10b96e40000d'],
    ]);
    const nested = leafMap(decodePayload(JSON.stringify({ ctx: encodeURIComponent('{"q":"asylum lawyer"}') })));
    expect([...nested]).toEqual([['json:$.ctx → url → json:$.q', 'asylum lawyer']]);
  });

  it('reads JSON lines, a BOM, an anti-XSSI prefix and odd keys', () => {
    const nd = decodePayload('{"a":"x1"}\n{"b":{"c d":"x2"}}\n');
    expect([...leafMap(nd)]).toEqual([
      ['json:$[0].a', 'x1'],
      ["json:$[1].b['c d']", 'x2'],
    ]);
    expect(leafMap(decodePayload('\uFEFF{"k":"v1"}')).get('json:$.k')).toBe('v1');
    expect(leafMap(decodePayload(")]}'\n[\"v2\"]")).get('json:$[0]')).toBe('v2');
    expect(leafMap(decodePayload(Buffer.from('while(1);{"k":"v3"}'))).get('json:$.k')).toBe('v3');
  });

  it('keeps integers beyond 2^53 digit for digit, and numbers as leaves', () => {
    const r = decodePayload('{"uid":12345678901234567890,"n":-42,"f":1.5,"ok":true,"none":null}');
    expect([...leafMap(r)]).toEqual([
      ['json:$.uid', '12345678901234567890'],
      ['json:$.n', '-42'],
      ['json:$.f', '1.5'],
    ]);
  });

  it('leaves text that only starts like JSON alone', () => {
    const r = decodePayload('[INFO] started {pid 7}');
    expect(r.root.children).toEqual([]);
    expect(r.root.value).toBe('[INFO] started {pid 7}');
  });
});

describe('protobuf', () => {
  // Written out per the wire format (tag = field << 3 | wire type):
  //   1: { 3: { 2: "alice@example.com" }, 1: 150 }   2: "hello proto"
  const email = [...Buffer.from('alice@example.com')]; // 17 bytes
  const level3 = [0x12, 17, ...email]; // field 2, LEN 17
  const level2 = [0x1a, level3.length, ...level3, 0x08, 0x96, 0x01]; // field 3 LEN; field 1 varint 150
  const msg = Buffer.from([0x0a, level2.length, ...level2, 0x12, 11, ...Buffer.from('hello proto')]);

  it('reads nested messages, strings and varints without a schema', () => {
    const r = decodePayload(msg);
    expect(r.root.kind).toBe('protobuf');
    expect([...leafMap(r)]).toEqual([
      ['protobuf:1.3.2', 'alice@example.com'],
      ['protobuf:1.1', '150'],
      ['protobuf:2', 'hello proto'],
    ]);
    expect(r.leaves()[0].key).toBeNull();
  });

  it('reads protobuf inside base64 inside a form, and numbers repeated fields', () => {
    const rep = Buffer.from([...pbString(1, 'first value'), ...pbString(1, 'second value'), ...pbVarint(2, 7)]);
    const r = decodePayload('p=' + encodeURIComponent(msg.toString('base64')) + '&q=' + rep.toString('base64url'));
    const m = leafMap(r);
    expect(m.get('form:p → base64 → protobuf:1.3.2')).toBe('alice@example.com');
    // Unpadded, but without '-' or '_' nothing says URL-safe: the step is plain base64.
    expect(rep.toString('base64url')).not.toMatch(/[-_]/);
    expect(m.get('form:q → base64 → protobuf:1[0]')).toBe('first value');
    expect(m.get('form:q → base64 → protobuf:1[1]')).toBe('second value');
    expect(m.get('form:q → base64 → protobuf:2')).toBe('7');
  });

  it('decodes JSON and gzip found in protobuf fields (a Firebase-like batch)', () => {
    const gz = gzipSync(Buffer.from('{"app_instance_id":"f00dfeed"}'));
    const batch = Buffer.from(pbString(1, [...pbString(2, [...pbString(1, '_vs'), ...pbString(2, 'https://news.example/')]), ...pbString(7, gz)]));
    const r = decodePayload(batch, undefined, { contentType: 'application/x-protobuf' });
    const m = leafMap(r);
    expect(m.get('protobuf:1.2.1')).toBe('_vs');
    expect(m.get('protobuf:1.2.2')).toBe('https://news.example/');
    expect(m.get('protobuf:1.7 → gzip → json:$.app_instance_id')).toBe('f00dfeed');
  });

  it('needs a Content-Type hint to accept a message of varints only', () => {
    const bare = Buffer.from([...pbVarint(1, 300), ...pbVarint(2, 5)]);
    expect(decodePayload(bare).root.kind).toBe('binary');
    const hinted = decodePayload(bare, undefined, { contentType: 'application/x-protobuf' });
    expect([...leafMap(hinted)]).toEqual([['protobuf:1', '300'], ['protobuf:2', '5']]);
  });
});

describe('multipart', () => {
  const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n`),
    Buffer.from('{"device_id":"d-77","imei":"356938035643809"}'),
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="q"\r\n\r\nasylum lawyer`),
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="me.png"\r\nContent-Type: image/png\r\n\r\n`),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const expected = [
    ['multipart:meta → json:$.device_id', 'd-77'],
    ['multipart:meta → json:$.imei', '356938035643809'],
    ['multipart:q', 'asylum lawyer'],
  ];

  it('splits parts using the boundary from the Content-Type', () => {
    const r = decodePayload(body, undefined, { contentType: `multipart/form-data; boundary=${boundary}` });
    expect(r.root.kind).toBe('multipart');
    expect([...leafMap(r)]).toEqual(expected);
    const avatar = r.root.children[2];
    expect(avatar.path).toBe('multipart:avatar');
    expect(avatar.kind).toBe('binary');
    expect(avatar.size).toBe(png.length);
  });

  it('sniffs the boundary when no Content-Type is known', () => {
    expect([...leafMap(decodePayload(body))]).toEqual(expected);
  });
});

describe('hex, compression, tokens', () => {
  it('decodes hex of JSON in a query string', () => {
    const hex = Buffer.from('{"email":"alice@example.com"}').toString('hex');
    const r = decodePayload(`p=${hex}&t=1`, undefined, { name: 'query' });
    expect(leafMap(r).get('query:p → hex → json:$.email')).toBe('alice@example.com');
  });

  it('reads a query string with a leading "?" when told it is one', () => {
    const r = decodePayload('?q=asylum+lawyer&lang=en', undefined, { name: 'query' });
    expect([...leafMap(r)]).toEqual([['query:q', 'asylum lawyer'], ['query:lang', 'en']]);
  });

  it('decodes brotli when the Content-Encoding says so', () => {
    const br = brotliCompressSync(Buffer.from(JSON.stringify({ q: 'asylum lawyer' })));
    const r = decodePayload(br, undefined, { contentEncoding: 'br' });
    expect([...leafMap(r)]).toEqual([['brotli → json:$.q', 'asylum lawyer']]);
  });

  it('decodes zlib (Content-Encoding: deflate) and raw deflate sent under that name', () => {
    const json = Buffer.from(JSON.stringify({ q: 'asylum lawyer' }));
    expect([...leafMap(decodePayload(deflateSync(json), undefined, { contentEncoding: 'deflate' }))]).toEqual([['zlib → json:$.q', 'asylum lawyer']]);
    expect([...leafMap(decodePayload(deflateRawSync(json), undefined, { contentEncoding: 'deflate' }))]).toEqual([['deflate → json:$.q', 'asylum lawyer']]);
    // zlib is also recognised by its header without any hint.
    expect([...leafMap(decodePayload(deflateSync(json)))]).toEqual([['zlib → json:$.q', 'asylum lawyer']]);
  });

  it('tries raw deflate and brotli on base64 siblings of gzip=1', () => {
    const json = Buffer.from(JSON.stringify([{ url: 'https://news.example/x' }]));
    const raw = deflateRawSync(json).toString('base64');
    const br = brotliCompressSync(json).toString('base64');
    const r = decodePayload(`gzip=1&a=${encodeURIComponent(raw)}&b=${encodeURIComponent(br)}`);
    const m = leafMap(r);
    expect(m.get('form:a → base64 → deflate → json:$[0].url')).toBe('https://news.example/x');
    expect(m.get('form:b → base64 → brotli → json:$[0].url')).toBe('https://news.example/x');
  });

  it('decodes the part present of a gzip stream cut short, and says so', () => {
    const text = JSON.stringify({ search: 'asylum lawyer', pad: 'x'.repeat(4000) });
    const gz = gzipSync(Buffer.from(text));
    const r = decodePayload(gz.subarray(0, gz.length - 20));
    expect(r.anomalies).toEqual([{ chain: 'gzip', error: 'gzip stream cut short; decoded the part present' }]);
    const gzNode = r.root.children[0];
    expect(gzNode.kind).toBe('text');
    expect(gzNode.value?.startsWith('{"search":"asylum lawyer"')).toBe(true);
  });

  it('reads the claims of a JWT and keeps the token as a leaf', () => {
    const seg = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${seg({ alg: 'HS256', typ: 'JWT' })}.${seg({ sub: '1234567890', email: 'alice@example.com' })}.c2lnbmF0dXJl`;
    const r = decodePayload(JSON.stringify({ token: jwt }));
    const m = leafMap(r);
    expect(m.get('json:$.token → jwt:payload → json:$.email')).toBe('alice@example.com');
    expect(m.get('json:$.token → jwt:header → json:$.alg')).toBe('HS256');
    expect(m.get('json:$.token')).toBe(jwt);
  });

  it('reads a Google Analytics collect hit given as a request URI', () => {
    const uri = '/collect?v=1&_v=j101&tid=UA-12345-1&cid=1764215543.1700000000&t=pageview' +
      '&dl=https%3A%2F%2Fnews.example%2Farticle%3Fid%3D7&dt=Asylum%20lawyers%20near%20me';
    const m = leafMap(decodePayload(uri));
    expect(m.get('query:cid')).toBe('1764215543.1700000000');
    expect(m.get('query:dl')).toBe('https://news.example/article?id=7');
    expect(m.get('query:dl → query:id')).toBe('7');
    expect(m.get('query:dt')).toBe('Asylum lawyers near me');
  });

  it('percent-decoding keeps bad escapes and reads Latin-1 bytes', () => {
    const m = leafMap(decodePayload('a=100%zz&b=caf%E9&c=%E2%82%AC'));
    expect([...m]).toEqual([['form:a', '100%zz'], ['form:b', 'café'], ['form:c', '€']]);
  });
});
