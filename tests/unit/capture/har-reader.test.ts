/**
 * Streaming HAR reader against the corpus truth (entry/page counts, hosts, methods,
 * status codes, creator) and against a whole-document JSON.parse of the same file.
 */
import { describe, expect, it } from 'vitest';
import { readHar, splitUrl } from '../../../electron/engine/capture/har-reader.ts';
import { JsonScanner } from '../../../electron/engine/capture/json-scan.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';
import { chunkSizes, corpusBytes, corpusFiles, truthOf } from './corpus.ts';

function chunked(buf: Buffer, sizes: number[]): AsyncIterable<Buffer> {
  return (async function* () {
    let pos = 0;
    let k = 0;
    while (pos < buf.length) {
      const n = sizes[k++ % sizes.length];
      yield buf.subarray(pos, pos + n);
      pos += n;
    }
  })();
}

async function read(buf: Buffer, sizes: number[] = [buf.length || 1]) {
  const sink = new CollectingSink();
  const summary = await readHar(chunked(buf, sizes), 7, sink);
  return { sink, summary };
}

function countBy<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

function sorted(o: Record<string, number>): Array<[string, number]> {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1));
}

const hars = corpusFiles('.har');

describe('HAR reader vs truth', () => {
  for (const name of hars) {
    const truth = truthOf(name)!;
    if (!truth.valid_har) continue;
    it(`${name}: ${truth.entry_count} entries, ${truth.page_count} pages, hosts, methods, status codes, creator`, async () => {
      const { sink, summary } = await read(corpusBytes(name));
      expect(summary.error).toBeNull();
      expect(summary.entries).toBe(truth.entry_count);
      expect(summary.pages).toBe(truth.page_count);
      const http = sink.httpRecords;
      expect(http.map((r) => r.entry)).toEqual(http.map((_, i) => i));
      expect(sorted(countBy(http, (r) => r.host ?? ''))).toEqual(sorted(truth.hosts));
      expect(sorted(countBy(http, (r) => r.method))).toEqual(sorted(truth.methods));
      expect(sorted(countBy(http, (r) => String(r.status)))).toEqual(sorted(truth.status_codes));
      expect(summary.creator).toBe(`${truth.creator.name} ${truth.creator.version}`);
      expect(summary.browser).toBe(truth.browser === null ? null : `${truth.browser.name} ${truth.browser.version}`);
      expect(http.map((r) => [r.method, r.status])).toEqual(truth.entries.map((e: { method: string; status: number }) => [e.method, e.status]));
      expect(sink.harPageRecords.map((p) => [p.pageId, p.title, p.ts])).toEqual(
        truth.pages.map((p: { id: string; title: string; startedDateTime: string }) => [p.id, p.title, BigInt(Date.parse(p.startedDateTime)) * 1_000_000n]),
      );
      expect(http.every((r) => r.source === 'har' && r.frame === null && r.input === 7)).toBe(true);
      expect(sink.anomalyRecords).toEqual([]);
    });
  }

  it('mitmproxy__brokenfile.har: invalid JSON is reported at the byte Python found', async () => {
    const truth = truthOf('mitmproxy__brokenfile.har')!;
    const at = /\(char (\d+)\)/.exec(truth.parse_error)![1];
    for (const sizes of [[1], [1000]]) {
      const { summary, sink } = await read(corpusBytes('mitmproxy__brokenfile.har'), sizes);
      expect(summary.error).toMatch(new RegExp(`^invalid HAR: .* at byte ${at}$`));
      expect(sink.httpRecords).toHaveLength(0);
    }
  });
});

describe('HAR reader vs a whole-document parse', () => {
  for (const name of hars.filter((n) => truthOf(n)!.valid_har)) {
    it(`${name}: each record carries the entry's fields, whatever the chunking`, async () => {
      const buf = corpusBytes(name);
      const doc = JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, ''));
      const whole = await read(buf);
      for (const sizes of [[1], chunkSizes(11, 50, 300)]) {
        const again = await read(buf, sizes);
        expect(again.sink.httpRecords).toEqual(whole.sink.httpRecords);
        expect(again.summary).toEqual(whole.summary);
      }
      doc.log.entries.forEach((e: Record<string, any>, i: number) => { // eslint-disable-line @typescript-eslint/no-explicit-any
        const r = whole.sink.httpRecords[i];
        const url = new URL(e.request.url);
        expect(r.host).toBe(url.hostname.replace(/^\[|\]$/g, ''));
        expect(r.uri).toBe(url.pathname + url.search);
        expect(r.dstPort).toBe(url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);
        expect(r.ts / 1_000_000n).toBe(BigInt(Date.parse(e.startedDateTime)));
        expect(r.version).toBe(e.request.httpVersion);
        expect(r.requestHeaders).toEqual(e.request.headers.map((h: { name: string; value: string }) => [h.name, h.value]));
        expect(r.responseHeaders).toEqual(e.response.headers.map((h: { name: string; value: string }) => [h.name, h.value]));
        expect(r.requestBody?.toString('utf8') ?? null).toBe(e.request.postData?.text ?? null);
        const c = e.response.content;
        const body = c.text === undefined ? null : Buffer.from(c.text, c.encoding === 'base64' ? 'base64' : 'utf8');
        expect(r.responseBody).toEqual(body);
        const ip = e.serverIPAddress ? String(e.serverIPAddress).replace(/^\[|\]$/g, '') : null;
        expect(r.serverIp).toBe(ip);
        expect(r.dstIp).toBe(ip ?? '');
      });
    });
  }

  it('reads a base64 response body and a POST body (mitmproxy export)', async () => {
    const { sink } = await read(corpusBytes('mitmproxy__mitmproxy-export.har'));
    const post = sink.httpRecords.find((r) => r.method === 'POST')!;
    expect(post.requestBody).not.toBeNull();
    expect(post.requestBody!.length).toBeGreaterThan(0);
  });
});

function har(entries: unknown[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, ...extra, entries } }));
}

function entry(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    startedDateTime: '2024-05-01T10:00:00.123456Z',
    time: 50,
    request: { method: 'POST', url: 'https://User@Example.COM:8443/a/b?q=1#frag', httpVersion: 'HTTP/2', headers: [{ name: 'x', value: 'y' }], postData: { mimeType: 'text/plain', text: 'héllo' }, bodySize: -1 },
    response: { status: 0, statusText: '', httpVersion: '', headers: [], content: { size: 3, mimeType: 'x', text: 'AAEC', encoding: 'base64' }, bodySize: -1 },
    timings: { blocked: 1, dns: -1, connect: 2, send: 0.5, wait: 10, receive: 3 },
    serverIPAddress: '[2001:db8::5]',
    ...over,
  };
}

describe('HAR reader on hand-made documents', () => {
  it('maps one entry field by field', async () => {
    const { sink, summary } = await read(har([entry()]));
    expect(summary.error).toBeNull();
    expect(summary.tsDigits).toBe(6);
    const r = sink.httpRecords[0];
    const start = BigInt(Date.parse('2024-05-01T10:00:00Z')) * 1_000_000n + 123_456_000n;
    expect(r).toMatchObject({
      input: 7, frame: null, entry: 0, ts: start, method: 'POST', host: 'example.com', uri: '/a/b?q=1', version: 'HTTP/2',
      srcIp: '', srcPort: 0, dstIp: '2001:db8::5', dstPort: 8443, serverIp: '2001:db8::5', status: 0, reason: '',
      requestHeaders: [['x', 'y']], requestBodySize: 6, responseBodySize: 3, truncated: false, source: 'har',
      responseTs: start + 13_500_000n,
    });
    expect(r.requestBody).toEqual(Buffer.from('héllo', 'utf8'));
    expect(r.responseBody).toEqual(Buffer.from([0, 1, 2]));
  });

  it('flags bodies that were not saved and tolerates entries without a response', async () => {
    const noText = entry({ response: { status: 200, headers: [], content: { size: 500, mimeType: 'image/png' }, bodySize: 400 } });
    const noResponse = entry({ response: undefined });
    const { sink } = await read(har([noText, noResponse]));
    expect(sink.httpRecords[0]).toMatchObject({ truncated: true, responseBody: null, responseBodySize: 400, status: 200 });
    expect(sink.httpRecords[1]).toMatchObject({ status: null, responseHeaders: null, responseTs: null });
  });

  it('reports non-object entries and bad dates as anomalies and keeps counting', async () => {
    const { sink, summary } = await read(har([42, entry({ startedDateTime: 'yesterday' }), entry()]));
    expect(summary.entries).toBe(3);
    expect(sink.httpRecords.map((r) => [r.entry, r.ts === 0n])).toEqual([[1, true], [2, false]]);
    expect(sink.anomalyRecords.map((a) => a.error)).toEqual(['entry 0 is not an object; skipped', 'entry 1: startedDateTime "yesterday" is not a date']);
  });

  it('says clearly when log or log.entries is missing or of the wrong kind', async () => {
    expect((await read(Buffer.from('{"foo": 1}'))).summary.error).toBe('invalid HAR: no "log" object at the top level');
    expect((await read(Buffer.from('{"log": {"version": "1.2"}}'))).summary.error).toBe('invalid HAR: "log" has no "entries" array');
    expect((await read(Buffer.from('{"log": {"entries": {}}}'))).summary.error).toBe('invalid HAR: "log.entries" is not an array');
    expect((await read(Buffer.from('{"log": [1, 2]}'))).summary.error).toBe('invalid HAR: "log" is not an object');
    expect((await read(Buffer.from('   '))).summary.error).toMatch(/^invalid HAR: no JSON value at all/);
  });

  it('keeps the entries read before the file breaks off', async () => {
    const full = har([entry(), entry(), entry()]);
    const cut = full.subarray(0, full.indexOf('"startedDateTime"', full.lastIndexOf('"timings"') - 600) + 20);
    const { sink, summary } = await read(cut);
    expect(summary.error).toMatch(/^invalid HAR: unexpected end of input inside an? (object|array) at byte \d+$/);
    expect(sink.httpRecords.length).toBeGreaterThanOrEqual(1);
    expect(sink.httpRecords.length).toBeLessThan(3);
  });

  it('hands over each entry before the rest of the file has arrived', async () => {
    const buf = har(Array.from({ length: 20 }, () => entry()));
    const sink = new CollectingSink();
    const seenAtChunk: number[] = [];
    const source = (async function* () {
      for (let i = 0; i < buf.length; i += 256) {
        seenAtChunk.push(sink.httpRecords.length);
        yield buf.subarray(i, i + 256);
      }
    })();
    let calls = 0;
    const summary = await readHar(source, 1, sink, () => { calls++; });
    expect(summary.entries).toBe(20);
    expect(calls).toBe(20);
    // Entries showed up progressively, not all at the end.
    expect(seenAtChunk[Math.floor(seenAtChunk.length / 2)]).toBeGreaterThan(0);
    expect(seenAtChunk[Math.floor(seenAtChunk.length / 2)]).toBeLessThan(20);
  });

  it('scans long bodies full of escapes and free of quotes in linear time', async () => {
    // 4 MiB of "line\n": a scanner that searched for the closing quote after every escape would never finish.
    const text = 'line\n'.repeat(800_000);
    const { sink, summary } = await read(har([entry({ response: { status: 200, headers: [], content: { size: text.length, text } } })]), [1 << 20]);
    expect(summary.error).toBeNull();
    expect(sink.httpRecords[0].responseBody?.length).toBe(text.length);
  });

  it('keys with escapes, pages before or after entries, and trailing garbage', async () => {
    const doc = Buffer.from('{"\\u006cog": {"entries": [], "pages": [{"id": "p", "title": "t", "startedDateTime": "2020-01-01T00:00:00Z"}], "creator": {"name": "n", "version": "v"}}}');
    const { summary, sink } = await read(doc, [3]);
    expect(summary).toMatchObject({ error: null, entries: 0, pages: 1, creator: 'n v' });
    expect(sink.harPageRecords[0].ts).toBe(BigInt(Date.parse('2020-01-01T00:00:00Z')) * 1_000_000n);
    expect((await read(Buffer.concat([doc, Buffer.from(' x')]))).summary.error).toMatch(/^invalid HAR: unexpected 'x' after the end of the JSON document at byte \d+$/);
  });
});

describe('splitUrl', () => {
  it('takes host, port and request target from the URL text', () => {
    expect(splitUrl('http://[2001:DB8::1]:8080/x?y#z')).toEqual({ scheme: 'http', host: '2001:db8::1', port: 8080, pathQuery: '/x?y' });
    expect(splitUrl('https://a.example?q')).toEqual({ scheme: 'https', host: 'a.example', port: null, pathQuery: '/?q' });
    expect(splitUrl('wss://u:p@h.example:443')).toEqual({ scheme: 'wss', host: 'h.example', port: 443, pathQuery: '/' });
    expect(splitUrl('/relative/only')).toEqual({ scheme: '', host: null, port: null, pathQuery: '/relative/only' });
  });
});

describe('JsonScanner grammar', () => {
  const valid = ['{}', '[]', '{"a":[1,-0.5e+3,true,false,null,"x\\"\\u00e9"]}', ' 0 ', '"s"', '[[[]]]', '{"a":{"b":{"c":{"d":1}}}}'];
  const invalid = ['{', '{"a"}', '{"a":}', '[1,]', '[01]', '[1.]', '[-]', '[1e]', '{"a":1,}', '[tru]', '["\\x"]', '["\\u12g4"]', '[1 2]', '{} {}', '{"a":1}}', '\u00ef'];
  const none = { begin: () => false, value: () => undefined, oversize: () => undefined };
  for (const text of valid) {
    it(`accepts ${text}`, () => {
      for (const step of [1, 100]) {
        const s = new JsonScanner(none, 3);
        const b = Buffer.from(text);
        for (let i = 0; i < b.length; i += step) s.push(b.subarray(i, i + step));
        expect(s.finish()).toBeNull();
        expect(() => JSON.parse(text)).not.toThrow();
      }
    });
  }
  for (const text of invalid) {
    it(`rejects ${text}`, () => {
      for (const step of [1, 100]) {
        const s = new JsonScanner(none, 3);
        const b = Buffer.from(text);
        for (let i = 0; i < b.length; i += step) s.push(b.subarray(i, i + step));
        expect(s.finish()).toMatch(/at byte \d+$|no JSON value/);
        expect(() => JSON.parse(text)).toThrow();
      }
    });
  }
});
