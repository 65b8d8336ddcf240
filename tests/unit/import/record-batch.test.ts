import { describe, expect, it } from 'vitest';
import { BatchingSink, replayBatch, type RecordBatch } from '../../../electron/engine/import/record-batch.ts';
import { CollectingSink, type RecordSink } from '../../../electron/engine/records.ts';
import { prepareHttp, unprepareHttp, type JsonText, type PreparedHttp } from '../../../electron/engine/store/http-prepare.ts';
import { dnsRecord, flowRecord, httpRecord, nameRecord, tlsRecord } from '../store/records-fixture.ts';

/** Encode with `feed`, move every batch through a real structured clone with transfer, decode. */
function roundTrip(feed: (sink: RecordSink) => void): { out: CollectingSink; batches: number } {
  const sent: RecordBatch[] = [];
  const sink = new BatchingSink((b, transfer) => {
    // As postMessage does: the worker's buffer is detached, the receiver gets its own.
    sent.push(structuredClone(b, { transfer }));
  });
  feed(sink);
  sink.flush();
  const out = new CollectingSink();
  for (const b of sent) replayBatch(b, out);
  return { out, batches: sent.length };
}

describe('record batches', () => {
  it('hand a sink that takes prepared exchanges what the case store would prepare itself', () => {
    const text = Buffer.from('{"events":[{"url":"https://example.com/private"}]}'.repeat(200));
    const records = [
      httpRecord({ requestBody: text, requestBodySize: text.length, responseBody: Buffer.alloc(0) }),
      httpRecord({ requestBody: null, responseBody: Buffer.from([0x1f, 0x8b, 1, 2]), responseBodyEncoding: 'gzip', responseHeaders: null }),
      httpRecord({ responseBody: null, responseBodySha256: 'cd'.repeat(32) }),
    ];
    const sent: RecordBatch[] = [];
    const sink = new BatchingSink((b, transfer) => sent.push(structuredClone(b, { transfer })));
    for (const r of records) sink.http(r);
    sink.flush();
    const prepared: PreparedHttp[] = [];
    const taker = Object.assign(new CollectingSink(), { httpPrepared: (p: PreparedHttp) => prepared.push(p) });
    for (const b of sent) replayBatch(b, taker);
    expect(taker.httpRecords).toEqual([]);
    // Header lists cross as their JSON's UTF-8 bytes, which the store binds as text.
    const asText = (j: JsonText | null): string | null => (j === null || typeof j === 'string' ? j : j.toString('utf8'));
    expect(prepared.map((p) => Buffer.isBuffer(p.requestHeadersJson))).toEqual([true, true, true]);
    expect(prepared.map((p) => p.responseHeadersJson === null || Buffer.isBuffer(p.responseHeadersJson))).toEqual([true, true, true]);
    expect(prepared.map((p) => ({ ...p, requestHeadersJson: asText(p.requestHeadersJson), responseHeadersJson: asText(p.responseHeadersJson) })))
      .toStrictEqual(records.map(prepareHttp));
    // The text was compressed on the sending side; the gzip body crossed as it was sent.
    expect(prepared[0].requestBody).toMatchObject({ codec: 'br', len: text.length });
    expect(prepared[1].responseBody).toMatchObject({ codec: 'raw', len: 4 });
    expect(prepared.map(unprepareHttp)).toStrictEqual(records);
  });

  it('carry every field of every record kind unchanged, in order', () => {
    const big = Buffer.alloc(64 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    // A body that is a view into a larger buffer, as the dissector's are.
    const view = big.subarray(1000, 1500);
    const records = {
      dns: [
        dnsRecord(),
        dnsRecord({
          frame: null, entry: 3, response: true, rcode: 3, qname: 'bücher.example', flavor: 'mdns', transport: 'tcp',
          answers: [{ name: 'a.example', type: 1, ttl: 4294967295, data: '192.0.2.1' }, { name: 'ü.example', type: 5, ttl: 0, data: 'b.example' }],
        }),
      ],
      tls: [
        tlsRecord(),
        tlsRecord({ sni: null, ja4: null, alpn: [], versions: [], ciphers: [], extensions: [], transport: 'quic', quicVersion: 0x6b3343cf, serverVersion: null, serverCipher: null, serverFrame: null }),
      ],
      http: [
        httpRecord({ responseBodyEncoding: 'gzip, br', responseBodySha256: null }),
        httpRecord({
          responseBodyEncoding: null, responseBodySha256: 'ab'.repeat(32),
          host: null, status: null, reason: null, responseHeaders: null, responseFrame: null, responseTs: null, truncated: true,
          requestHeaders: [['X-Ünïcode', 'wert €'], ['Empty', '']], requestBody: view, requestBodySize: 480, responseBody: Buffer.alloc(0),
          serverIp: '2001:db8::1', source: 'har', entry: 7, frame: null,
        }),
        // Optional fields left out altogether stay left out.
        (() => {
          const r = httpRecord({ responseBody: big });
          delete r.serverIp;
          delete r.entry;
          return r;
        })(),
      ],
      flows: [flowRecord(), flowRecord({ proto: 'udp', srcMac: null, dstMac: null, app: null, bytesUp: 2 ** 40, gapBytes: 12 })],
      names: [
        nameRecord(),
        (() => {
          const r = nameRecord({ ip: null, mac: null, source: 'nrb' });
          delete r.vendorClass;
          return r;
        })(),
      ],
      anomalies: [{ input: 1, frame: null, layer: 'tcp', error: 'truncated TCP header: 3 bytes' }, { input: 1, frame: 77, layer: 'http', error: '' }],
      secrets: [{ input: 1, type: 0x544c534b, typeName: 'TLS key log', data: Buffer.from('CLIENT_RANDOM 00 11\n') }],
      harPages: [{ input: 2, pageId: 'page_1', title: 'Ünïcode title', ts: 1_600_000_000_000_000_000n }],
    };
    const { out } = roundTrip((s) => {
      // Interleaved, as a dissector emits them.
      s.dns(records.dns[0]);
      s.flow(records.flows[0]);
      s.http(records.http[0]);
      s.tls(records.tls[0]);
      s.name(records.names[0]);
      s.anomaly(records.anomalies[0]);
      s.secret(records.secrets[0]);
      s.harPage(records.harPages[0]);
      s.dns(records.dns[1]);
      s.tls(records.tls[1]);
      s.http(records.http[1]);
      s.http(records.http[2]);
      s.flow(records.flows[1]);
      s.name(records.names[1]);
      s.anomaly(records.anomalies[1]);
    });
    expect(out.dnsRecords).toStrictEqual(records.dns);
    expect(out.tlsRecords).toStrictEqual(records.tls);
    expect(out.flowRecords).toStrictEqual(records.flows);
    expect(out.nameRecords).toStrictEqual(records.names);
    expect(out.anomalyRecords).toStrictEqual(records.anomalies);
    expect(out.secretRecords).toStrictEqual(records.secrets);
    expect(out.harPageRecords).toStrictEqual(records.harPages);
    expect(out.httpRecords).toStrictEqual(records.http);
    expect('serverIp' in out.httpRecords[2]).toBe(false);
    expect('vendorClass' in out.nameRecords[1]).toBe(false);
  });

  it('keeps timestamps beyond 64 bits and strings with lone surrogates as a UTF-8 round trip gives them', () => {
    const far = 253402300799n * 1_000_000_000n; // year 9999 in ns: more than 2^63
    const { out } = roundTrip((s) => {
      s.dns(dnsRecord({ ts: far, qname: 'a\ud800b' }));
      s.dns(dnsRecord({ ts: -5n }));
    });
    expect(out.dnsRecords[0].ts).toBe(far);
    expect(out.dnsRecords[0].qname).toBe(Buffer.from('a\ud800b', 'utf8').toString('utf8'));
    expect(out.dnsRecords[1].ts).toBe(-5n);
  });

  it('carries short and long strings, ASCII or not, whichever way they are written', () => {
    // Lengths either side of the switch from the byte loop to one native write (48), and far past it;
    // a non-ASCII character at the start, the middle or the end, of two, three or four UTF-8 bytes.
    const names: string[] = [];
    for (const len of [0, 1, 46, 47, 48, 49, 200, 5000]) {
      names.push('a'.repeat(len));
      for (const ch of ['é', '€', '😀', '\u0080', 'ÿ']) {
        if (len < 2) continue;
        names.push(ch + 'b'.repeat(len - 1));
        names.push('c'.repeat(len >> 1) + ch + 'd'.repeat(len - (len >> 1) - 1));
        names.push('e'.repeat(len - 1) + ch);
      }
    }
    const { out } = roundTrip((s) => {
      for (const qname of names) s.dns(dnsRecord({ qname }));
    });
    expect(out.dnsRecords.map((r) => r.qname)).toStrictEqual(names);
  });

  it('splits long runs into several batches and loses nothing', () => {
    const { out, batches } = roundTrip((s) => {
      for (let i = 0; i < 10_000; i++) s.flow(flowRecord({ firstFrame: i + 1, srcPort: i % 65536 }));
      // 6 MiB of bodies: more than one batch's worth.
      for (let i = 0; i < 6; i++) s.http(httpRecord({ frame: i, responseBody: Buffer.alloc(1024 * 1024, i) }));
    });
    expect(batches).toBeGreaterThan(2);
    expect(out.flowRecords.map((f) => f.firstFrame)).toStrictEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    expect(out.httpRecords.map((h) => h.responseBody?.[12345])).toStrictEqual([0, 1, 2, 3, 4, 5]);
  });
});
