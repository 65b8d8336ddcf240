import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { closeSync, openSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BatchingSink, replayBatch, type RecordBatch } from '../../../electron/engine/import/record-batch.ts';
import { CASE_CACHE_KIB, CASE_PAGE_SIZE, CaseStore } from '../../../electron/engine/store/case-store.ts';
import { dnsRecord, flowRecord, httpRecord, nameRecord, summary, tempDir, tlsRecord } from './records-fixture.ts';

function newCase(batchRows?: number): { path: string; store: CaseStore; input: number } {
  const path = join(tempDir(), 'case.db');
  const store = CaseStore.open(path, { create: true, batchRows });
  const input = store.addInput('/evidence/phone.pcap');
  return { path, store, input };
}

describe('inputs', () => {
  it('records the summary with full timestamp precision and the derived status', () => {
    const { store, input } = newCase();
    expect(store.inputs()[0]).toMatchObject({ id: input, path: '/evidence/phone.pcap', fileName: 'phone.pcap', status: 'importing' });
    store.finishInput(input, summary({ linkTypes: [1, 276], gzip: true, producer: 'Android 14' }));
    const row = store.inputs()[0];
    expect(row).toMatchObject({
      status: 'done', format: 'pcap', gzip: true, linkTypes: [1, 276], packets: 10, tsDigits: 6,
      sha256: 'ab'.repeat(32), size: 1234, producer: 'Android 14', error: null,
    });
    expect(row.firstTs).toBe(1_600_000_000_123_456_789n);
    expect(row.finishedAt).not.toBeNull();

    const bad = store.addInput('/evidence/notes.txt');
    store.finishInput(bad, summary({ format: null, packets: 0, error: 'not a capture', sha256: '', firstTs: null, lastTs: null }));
    expect(store.inputs()[1]).toMatchObject({ status: 'failed', error: 'not a capture', sha256: null, firstTs: null });

    const partial = store.addInput('/evidence/cut.pcap');
    // Another file, so another hash (the same hash would make it a duplicate of phone.pcap).
    store.finishInput(partial, summary({ packets: 3, error: 'truncated record', sha256: 'cd'.repeat(32) }));
    expect(store.inputs()[2]).toMatchObject({ status: 'done', error: 'truncated record' });
    store.close();
  });
});

describe('connection settings', () => {
  it('new cases have 16 KiB pages and UTF-8 text; every connection, writer or reader, a 4 MiB page cache', () => {
    const { path, store } = newCase();
    const reader = CaseStore.open(path, { readonly: true });
    for (const s of [store, reader]) {
      expect(s.db.pragma('page_size', { simple: true })).toBe(CASE_PAGE_SIZE);
      // Header lists are stored from UTF-8 bytes cast to text (see 'http headers').
      expect(s.db.pragma('encoding', { simple: true })).toBe('UTF-8');
      // Negative: KiB. better-sqlite3's own default is 16 MB, which a connection filled as
      // the case grew (the peak of an import and of an analysis rose with the file).
      expect(s.db.pragma('cache_size', { simple: true })).toBe(-CASE_CACHE_KIB);
    }
    reader.close();
    store.close();
  });
});

describe('batched writes', () => {
  it('makes rows visible to other connections only after flush', () => {
    const { path, store, input } = newCase(10_000);
    const reader = new Database(path, { readonly: true });
    const count = (): number => reader.prepare('SELECT count(*) FROM dns').pluck().get() as number;
    for (let i = 0; i < 100; i++) store.dns(dnsRecord({ input, frame: i + 1, ts: 1_000n + BigInt(i) }));
    expect(count()).toBe(0);
    store.flush();
    expect(count()).toBe(100);
    reader.close();
    store.close();
  });

  it('commits on its own every batchRows rows', () => {
    const { path, store, input } = newCase(50);
    const reader = new Database(path, { readonly: true });
    for (let i = 0; i < 120; i++) store.anomaly({ input, frame: i + 1, layer: 'ipv4', error: 'bad checksum' });
    expect(reader.prepare('SELECT count(*) FROM anomalies').pluck().get()).toBe(100);
    store.close();
    expect(reader.prepare('SELECT count(*) FROM anomalies').pluck().get()).toBe(120);
    reader.close();
  });

  it('keeps a record it cannot store as a store anomaly instead of throwing', () => {
    const { store, input } = newCase();
    // A protocol bug: a port that is not a number. The store must not throw into the dissector.
    expect(() => store.dns(dnsRecord({ input, srcPort: 'x' as unknown as number }))).not.toThrow();
    store.dns(dnsRecord({ input, frame: 2 }));
    store.flush();
    expect(store.storeErrors).toBe(1);
    expect(store.counts().dns).toBe(1);
    const a = [...store.iterAnomalies()];
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ input, frame: 1, layer: 'store' });
    expect(a[0].error).toMatch(/could not store dns record/);
    store.close();
  });

  it('reads records back as written, ordered by time', () => {
    const { store, input } = newCase();
    const answers = [{ name: 'example.com', type: 1, ttl: 60, data: '93.184.216.34' }];
    store.dns(dnsRecord({ input, frame: 3, ts: 3_000_000_000_000_000_001n, response: true, rcode: 0, answers }));
    store.dns(dnsRecord({ input, frame: 1, ts: 1_000_000_000_000_000_001n }));
    const tls = tlsRecord({ input, transport: 'quic', quicVersion: 0x6b3343cf });
    store.tls(tls);
    store.flow(flowRecord({ input }));
    store.name(nameRecord({ input }));
    store.flush();
    const dns = [...store.iterDns(1)]; // page size 1 exercises the keyset paging
    expect(dns.map((d) => d.frame)).toEqual([1, 3]);
    const { rowId, ...second } = dns[1];
    expect(rowId).toBeGreaterThan(0);
    expect(second).toEqual(dnsRecord({ input, frame: 3, ts: 3_000_000_000_000_000_001n, response: true, rcode: 0, answers }));
    const [t] = [...store.iterTls()];
    const { rowId: _r, ...tlsBack } = t;
    expect(tlsBack).toEqual(tls);
    expect([...store.iterNames()][0]).toMatchObject({ name: 'android-phone', source: 'dhcp', vendorClass: 'android-dhcp-13' });
    expect(store.counts()).toMatchObject({ dns: 2, tls: 1, flows: 1, names: 1 });
    store.close();
  });
});

describe('http bodies', () => {
  it('are stored compressed and read back byte for byte', () => {
    const { store, input } = newCase();
    const text = Buffer.from(`crc=1&gzip=1&data_list=${'{"url":"https://example.com/search?q=secret","ts":1}'.repeat(400)}`);
    const noise = randomBytes(64 * 1024);
    store.http(httpRecord({ input, method: 'POST', requestBody: text, requestBodySize: text.length, responseBody: noise, responseBodySize: noise.length }));
    store.http(httpRecord({ input, frame: 20, ts: 1_600_000_009_000_000_000n, requestBody: Buffer.alloc(0), responseBody: Buffer.from('ok') }));
    store.flush();
    const rows = store.db.prepare(`SELECT id, length(request_body) AS req, request_body_codec AS reqc, request_body_len AS reql,
      length(response_body) AS res, response_body_codec AS resc, response_body_len AS resl FROM http ORDER BY id`).all() as Array<Record<string, unknown>>;
    // Text compresses a lot; random bytes are kept as they are rather than grown.
    expect(rows[0].reqc).toBe('br');
    expect(rows[0].req as number).toBeLessThan(text.length / 10);
    expect(rows[0].reql).toBe(text.length);
    expect(rows[0].resc).toBe('raw');
    expect(rows[0].res).toBe(noise.length);
    const bodies = store.httpBodies(rows[0].id as number);
    expect(bodies.request?.equals(text)).toBe(true);
    expect(bodies.response?.equals(noise)).toBe(true);
    // An empty body is stored as none; a tiny one raw.
    expect(rows[1]).toMatchObject({ req: null, reqc: null, reql: 0, resc: 'raw', resl: 2 });
    expect(store.httpBodies(rows[1].id as number).response?.toString()).toBe('ok');
    const [h] = [...store.iterHttp()];
    expect(h).toMatchObject({ method: 'POST', requestBodyLen: text.length, responseBodyLen: noise.length, requestHeaders: [['Host', 'example.com'], ['User-Agent', 'test']] });
    store.close();
  });
});

describe('http headers', () => {
  it('crossing a record batch as UTF-8 bytes are stored as the same text', () => {
    const { store, input } = newCase();
    const requestHeaders: Array<[string, string]> = [['Host', 'bücher.example'], ['Cookie', 'id=€42'], ['Empty', '']];
    const sent: RecordBatch[] = [];
    const batching = new BatchingSink((b, transfer) => sent.push(structuredClone(b, { transfer })));
    batching.http(httpRecord({ input, requestHeaders }));
    batching.http(httpRecord({ input, frame: 20, requestHeaders: [['Host', 'example.com']], responseHeaders: null, status: null }));
    batching.flush();
    for (const b of sent) replayBatch(b, store);
    store.flush();
    const rows = store.db.prepare(`SELECT typeof(request_headers) AS qt, request_headers AS q, typeof(response_headers) AS st, response_headers AS s
      FROM http ORDER BY id`).all();
    expect(rows).toEqual([
      { qt: 'text', q: JSON.stringify(requestHeaders), st: 'text', s: JSON.stringify(httpRecord().responseHeaders) },
      { qt: 'text', q: '[["Host","example.com"]]', st: 'null', s: null },
    ]);
    expect([...store.iterHttp()].map((h) => h.requestHeaders)).toEqual([requestHeaders, [['Host', 'example.com']]]);
    store.close();
  });
});

describe('http response bodies kept as sent or not kept', () => {
  it('stores a compressed response as it came and decodes it on reading; keeps only the hash of one not kept', () => {
    const { store, input } = newCase();
    const page = Buffer.from('<html><body>'.concat('news of the day '.repeat(500), '</body></html>'));
    const wire = gzipSync(page);
    store.http(httpRecord({ input, responseBody: wire, responseBodyEncoding: 'gzip', responseBodySize: wire.length }));
    const sha = createHash('sha256').update(randomBytes(16)).digest('hex');
    store.http(httpRecord({ input, frame: 20, responseBody: null, responseBodySha256: sha, responseBodySize: 50_000 }));
    store.flush();
    const rows = store.db.prepare(`SELECT id, response_body AS body, response_body_codec AS codec, response_body_len AS len,
      response_body_encoding AS enc, response_body_sha256 AS sha FROM http ORDER BY id`).all() as Array<Record<string, unknown>>;
    // Already compressed: stored raw, byte for byte as sent, not compressed again.
    expect(rows[0]).toMatchObject({ codec: 'raw', len: wire.length, enc: 'gzip', sha: null });
    expect((rows[0].body as Buffer).equals(wire)).toBe(true);
    const read = store.httpBodies(rows[0].id as number);
    expect(read.response?.equals(page)).toBe(true);
    expect(read.responseInfo).toEqual({ encoding: 'gzip', decodeError: null, decodeTruncated: false, sha256: null });
    // Not kept: no bytes, the full length, the hash.
    expect(rows[1]).toMatchObject({ body: null, codec: null, len: 50_000, enc: null, sha });
    const none = store.httpBodies(rows[1].id as number);
    expect(none.response).toBeNull();
    expect(none.responseInfo.sha256).toBe(sha);
    const listed = [...store.iterHttp()];
    expect(listed.map((h) => [h.responseBodyEncoding, h.responseBodySha256])).toEqual([['gzip', null], [null, sha]]);
    store.close();
  });

  it('reports a damaged compressed response when it is read, keeping what decodes', () => {
    const { store, input } = newCase();
    const page = Buffer.from(Array.from({ length: 4000 }, (_, i) => `line ${i} ${(i * 7919) % 10007}\n`).join(''));
    const wire = Buffer.from(gzipSync(page));
    expect(wire.length).toBeGreaterThan(4000);
    // Damage in the middle of the deflate stream: what comes before it still decodes.
    wire.fill(0xff, 3000, 3100);
    store.http(httpRecord({ input, responseBody: wire, responseBodyEncoding: 'gzip', responseBodySize: wire.length }));
    store.flush();
    const id = store.db.prepare('SELECT id FROM http').pluck().get() as number;
    const read = store.httpBodies(id);
    expect(read.responseInfo.decodeTruncated).toBe(true);
    expect(read.responseInfo.decodeError).toMatch(/gzip/);
    expect(read.response!.length).toBeGreaterThan(1000);
    expect(page.subarray(0, read.response!.length).equals(read.response!)).toBe(true);
    store.close();
  });
});

describe('the views\' covering index during an import', () => {
  const hasIndex = (db: Database.Database): boolean =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'http_view'").get() !== undefined;

  it('is dropped while a large input imports, built again when it ends, and repaired on opening after an interrupted import', () => {
    const { path, store, input } = newCase();
    // A small input keeps it (rebuilding over the whole case would cost more than it saves).
    expect(hasIndex(store.db)).toBe(true);
    store.finishInput(input, summary());
    // A large one (64 MiB, sparse) imports without it.
    const big = join(tempDir(), 'big.pcap');
    closeSync(openSync(big, 'w'));
    truncateSync(big, 64 * 1024 * 1024);
    const second = store.addInput(big);
    expect(hasIndex(store.db)).toBe(false);
    store.http(httpRecord({ input: second }));
    store.finishInput(second, summary({ sha256: 'cd'.repeat(32) }));
    expect(hasIndex(store.db)).toBe(true);
    const plan = store.db.prepare('EXPLAIN QUERY PLAN SELECT ts_ns, input_id, src_ip, dst_ip, source, host FROM http').all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/COVERING INDEX http_view/);
    // An import that never finished (a crash): the index stays dropped in the file…
    store.addInput(big);
    store.db.close();
    const raw = new Database(path, { readonly: true });
    expect(hasIndex(raw)).toBe(false);
    raw.close();
    // …and the next write-open builds it again.
    const again = CaseStore.open(path);
    expect(hasIndex(again.db)).toBe(true);
    again.close();
  });
});

describe('hosts table', () => {
  it('links addresses to names from DNS (with CNAME chain), SNI, HTTP Host, HAR and names', () => {
    const { store, input } = newCase();
    store.dns(dnsRecord({
      input, frame: 2, ts: 2_000n, response: true, rcode: 0, qname: 'www.Example.com.', answers: [
        { name: 'www.example.com', type: 5, ttl: 60, data: 'edge.cdn.test.' },
        { name: 'edge.cdn.test', type: 5, ttl: 60, data: 'e1.cdn.test' },
        { name: 'e1.cdn.test', type: 1, ttl: 20, data: '192.0.2.10' },
        { name: 'e1.cdn.test', type: 28, ttl: 20, data: '2001:db8::10' },
        { name: 'unrelated.test', type: 1, ttl: 20, data: '192.0.2.99' },
      ],
    }));
    // A query (not a response) and a response without answers link nothing.
    store.dns(dnsRecord({ input, frame: 1, ts: 1_000n, qname: 'www.example.com' }));
    store.dns(dnsRecord({ input, frame: 3, ts: 3_000n, response: true, rcode: 3, qname: 'nx.test' }));
    store.tls(tlsRecord({ input, frame: 5, ts: 5_000n, dstIp: '192.0.2.10', sni: 'WWW.example.com' }));
    store.tls(tlsRecord({ input, frame: 6, ts: 6_000n, dstIp: '192.0.2.10', sni: 'www.example.com' }));
    store.http(httpRecord({ input, frame: 7, ts: 7_000n, dstIp: '192.0.2.10', host: 'www.example.com:8080' }));
    store.http(httpRecord({ input, frame: 8, ts: 8_000n, dstIp: '192.0.2.11', host: '192.0.2.11' }));
    store.http(httpRecord({ input, frame: null, entry: 4, ts: 9_000n, source: 'har', srcIp: '', dstIp: '', host: 'api.test', serverIp: '[2001:db8::20]' }));
    store.name(nameRecord({ input, frame: 10, ts: 10_000n, ip: '10.0.0.2', name: 'android-phone', source: 'dhcp' }));
    store.name(nameRecord({ input, frame: 11, ts: 11_000n, ip: null, name: 'no-address', source: 'nbns' }));
    store.flush();
    // A second batch adds to the counts and keeps the earliest sighting as the pointer.
    store.tls(tlsRecord({ input, frame: 4, ts: 4_000n, dstIp: '192.0.2.10', sni: 'www.example.com' }));
    store.flush();

    const links = [...store.iterHosts()].map((h) => `${h.ip} ${h.name} ${h.source} x${h.count} @${h.frame ?? `e${h.entry}`}`);
    expect(links.sort()).toEqual([
      '10.0.0.2 android-phone dhcp x1 @10',
      '192.0.2.10 e1.cdn.test dns x1 @2',
      '192.0.2.10 edge.cdn.test dns x1 @2',
      '192.0.2.10 www.example.com dns x1 @2',
      '192.0.2.10 www.example.com http x1 @7',
      '192.0.2.10 www.example.com sni x3 @4',
      '192.0.2.99 unrelated.test dns x1 @2',
      '2001:db8::10 e1.cdn.test dns x1 @2',
      '2001:db8::10 edge.cdn.test dns x1 @2',
      '2001:db8::10 www.example.com dns x1 @2',
      '2001:db8::20 api.test har x1 @e4',
    ].sort());
    expect(store.counts()).toMatchObject({ hostLinks: 11, hosts: 5 });
    store.close();
  });
});
