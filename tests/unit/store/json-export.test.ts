import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportJson } from '../../../electron/engine/export/json-export.ts';
import { CaseStore } from '../../../electron/engine/store/case-store.ts';
import { dnsRecord, httpRecord, nameRecord, summary, tempDir, tlsRecord } from './records-fixture.ts';

/** A case with one µs pcap, one ns pcapng and one HAR, filled with hand-made records. */
function filledCase(dir: string): CaseStore {
  const store = CaseStore.open(join(dir, 'case.db'), { create: true, title: 'Phone 2024-05' });
  const pcap = store.addInput('/evidence/phone.pcap');
  const pcapng = store.addInput('/evidence/wifi.pcapng');
  const har = store.addInput('/evidence/browser.har');
  store.dns(dnsRecord({ input: pcap, frame: 1, ts: 1_700_000_000_123_456_000n, qname: 'svc.example.com', qtype: 65 }));
  store.dns(dnsRecord({
    input: pcap, frame: 2, ts: 1_700_000_000_223_456_000n, response: true, rcode: 0, qname: 'svc.example.com', qtype: 1,
    answers: [
      { name: 'svc.example.com', type: 5, ttl: 300, data: 'edge.example.net' },
      { name: 'edge.example.net', type: 1, ttl: 60, data: '198.51.100.7' },
    ],
  }));
  store.dns(dnsRecord({ input: pcapng, frame: 4, ts: 1_700_000_001_000_000_001n, qname: 'odd.test', qtype: 4242, transport: 'tcp' }));
  store.tls(tlsRecord({ input: pcapng, frame: 9, ts: 1_700_000_002_000_000_009n, dstIp: '198.51.100.7', sni: 'svc.example.com', transport: 'quic', quicVersion: 1, serverVersion: null, serverCipher: null }));
  store.http(httpRecord({ input: pcap, frame: 12, ts: 1_700_000_003_000_001_000n, dstIp: '198.51.100.7', host: 'svc.example.com', method: 'POST', uri: '/collect', requestBody: Buffer.from('a=1'), requestBodySize: 3 }));
  store.http(httpRecord({
    input: har, frame: null, entry: 0, ts: 1_700_000_004_567_000_000n, source: 'har', srcIp: '', srcPort: 0, dstIp: '', dstPort: 0,
    host: 'cdn.test', uri: '/app.js', version: 'HTTP/2', status: null, reason: null, responseHeaders: null, responseFrame: null, responseTs: null, serverIp: '203.0.113.5',
  }));
  store.name(nameRecord({ input: pcap, frame: 3, ts: 1_700_000_000_300_000_000n }));
  store.anomaly({ input: pcapng, frame: 7, layer: 'tcp', error: 'header length 4 < 20' });
  store.finishInput(pcap, summary({ format: 'pcap', linkTypes: [1], tsDigits: 6, packets: 20, firstTs: 1_700_000_000_123_456_000n, lastTs: 1_700_000_003_000_001_000n }));
  // Three files, three hashes: one SHA-256 for two inputs would make the second a duplicate.
  store.finishInput(pcapng, summary({ sha256: 'cd'.repeat(32), format: 'pcapng', linkTypes: [1, 276], tsDigits: 9, packets: 9, anomalies: 1, firstTs: 1_700_000_001_000_000_001n, lastTs: 1_700_000_002_000_000_009n, gzip: true }));
  store.finishInput(har, summary({ sha256: 'ef'.repeat(32), format: 'har', linkTypes: [], tsDigits: 3, packets: 0, entries: 1, firstTs: 1_700_000_004_567_000_000n, lastTs: 1_700_000_004_567_000_000n, producer: 'Firefox 111' }));
  return store;
}

describe('JSON export', () => {
  it('writes the documented shape with per-input timestamp precision', async () => {
    const dir = tempDir();
    const store = filledCase(dir);
    const out = join(dir, 'out.json');
    const res = await exportJson(store, out);
    const text = readFileSync(out);
    const doc = JSON.parse(text.toString('utf8'));

    expect(doc.format).toBe('telltale-export');
    expect(doc.version).toBe(1);
    expect(doc.tool).toMatchObject({ name: 'telltale' });
    expect(doc.case).toMatchObject({ title: 'Phone 2024-05', path: store.path });

    expect(doc.inputs).toEqual([
      expect.objectContaining({ file: 'phone.pcap', path: '/evidence/phone.pcap', format: 'pcap', gzip: false, linkTypes: [1], linkTypeNames: ['ETHERNET'], packets: 20, firstTs: '2023-11-14T22:13:20.123456Z', lastTs: '2023-11-14T22:13:23.000001Z', anomalies: 0, sha256: 'ab'.repeat(32), size: 1234 }),
      expect.objectContaining({ file: 'wifi.pcapng', format: 'pcapng', gzip: true, linkTypes: [1, 276], linkTypeNames: ['ETHERNET', 'LINUX_SLL2'], packets: 9, firstTs: '2023-11-14T22:13:21.000000001Z', anomalies: 1 }),
      expect.objectContaining({ file: 'browser.har', format: 'har', entries: 1, firstTs: '2023-11-14T22:13:24.567Z', producer: 'Firefox 111' }),
    ]);
    expect(doc.inputs[0]).not.toHaveProperty('error');
    expect(doc.inputs[2]).not.toHaveProperty('packets');

    expect(doc.dns).toEqual([
      { ts: '2023-11-14T22:13:20.123456Z', name: 'svc.example.com', qtype: 'HTTPS', response: false, rcode: null, answers: [], transport: 'udp', flavor: 'dns', id: 0x1234, src: '10.0.0.2', srcPort: 53000, dst: '10.0.0.1', dstPort: 53, input: 'phone.pcap', frame: 1 },
      expect.objectContaining({ ts: '2023-11-14T22:13:20.223456Z', qtype: 'A', response: true, rcode: 0, frame: 2, answers: [
        { name: 'svc.example.com', type: 'CNAME', ttl: 300, data: 'edge.example.net' },
        { name: 'edge.example.net', type: 'A', ttl: 60, data: '198.51.100.7' },
      ] }),
      expect.objectContaining({ ts: '2023-11-14T22:13:21.000000001Z', qtype: '4242', transport: 'tcp', input: 'wifi.pcapng', frame: 4 }),
    ]);
    expect(doc.tls).toEqual([expect.objectContaining({
      ts: '2023-11-14T22:13:22.000000009Z', sni: 'svc.example.com', alpn: ['h2', 'http/1.1'], ja4: 't13d0202h2_abcdef012345_abcdef012345',
      versions: ['0x0304', '0x0303'], transport: 'quic', quicVersion: '0x00000001', serverVersion: null, serverCipher: null,
      src: '10.0.0.2', dst: '198.51.100.7', input: 'wifi.pcapng', frame: 9,
    })]);
    expect(doc.http).toHaveLength(2);
    expect(doc.http[0]).toMatchObject({ ts: '2023-11-14T22:13:23.000001Z', method: 'POST', host: 'svc.example.com', uri: '/collect', status: 200, version: 'HTTP/1.1', input: 'phone.pcap', frame: 12, src: '10.0.0.2', dst: '198.51.100.7', requestBodyBytes: 3 });
    expect(doc.http[1]).toMatchObject({ ts: '2023-11-14T22:13:24.567Z', method: 'GET', host: 'cdn.test', input: 'browser.har', entry: 0, version: 'HTTP/2', serverIp: '203.0.113.5' });
    expect(doc.http[1]).not.toHaveProperty('frame');
    expect(doc.http[1]).not.toHaveProperty('status');

    const byIp = Object.fromEntries(doc.hosts.map((h: { ip: string; names: string[] }) => [h.ip, h.names]));
    expect(byIp).toEqual({
      '10.0.0.2': ['android-phone'],
      '198.51.100.7': ['edge.example.net', 'svc.example.com'],
      '203.0.113.5': ['cdn.test'],
    });
    expect(doc.anomalies).toEqual([{ input: 'wifi.pcapng', frame: 7, layer: 'tcp', error: 'header length 4 < 20' }]);
    expect(doc.names[0]).toMatchObject({ name: 'android-phone', ip: '10.0.0.2', source: 'dhcp', input: 'phone.pcap', frame: 3 });

    // The custody log carries the export's path and the SHA-256 of the bytes on disk.
    const sha = createHash('sha256').update(text).digest('hex');
    expect(res).toMatchObject({ path: out, sha256: sha, bytes: text.length });
    const last = store.custodyLog().at(-1);
    expect(last?.action).toBe('export.json');
    expect(last?.detail).toMatchObject({ path: out, sha256: sha });
    // No temporary file is left beside the export.
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
    store.close();
  });

  it('streams a large case in chunks and stays valid JSON', async () => {
    const dir = tempDir();
    const store = CaseStore.open(join(dir, 'big.db'), { create: true });
    const input = store.addInput('/evidence/big.pcap');
    for (let i = 0; i < 20_000; i++) {
      store.dns(dnsRecord({ input, frame: i + 1, ts: 1_700_000_000_000_000_000n + BigInt(i) * 1000n, qname: `host-${i}.example.com` }));
    }
    store.finishInput(input, summary({ packets: 20_000 }));
    const out = join(dir, 'big.json');
    await exportJson(store, out);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.dns).toHaveLength(20_000);
    expect(doc.dns[19_999]).toMatchObject({ name: 'host-19999.example.com', frame: 20_000 });
    expect(doc.counts.dns).toBe(20_000);
    store.close();
  });

  it('refuses to write over the case database', async () => {
    const dir = tempDir();
    const store = filledCase(dir);
    await expect(exportJson(store, store.path)).rejects.toThrow(/refusing/);
    expect(existsSync(store.path)).toBe(true);
    store.close();
    const reopened = CaseStore.open(store.path, { readonly: true });
    expect(reopened.counts().dns).toBe(3);
    reopened.close();
  });
});
