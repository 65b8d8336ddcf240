/** An input with the SHA-256 of one already in the case: kept as a failed duplicate, its records and host links taken out. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../../../electron/engine/store/case-store.ts';
import { dnsRecord, flowRecord, httpRecord, nameRecord, summary, tempDir, tlsRecord } from './records-fixture.ts';

const SHA = 'cd'.repeat(32);

/** Everything one input of the fixture writes: one record of each kind, each giving host links. */
function writeAll(store: CaseStore, input: number, tsShift = 0n): void {
  store.dns(dnsRecord({ input, ts: 1_000n + tsShift, response: true, answers: [
    { name: 'www.example.com', type: 5, ttl: 60, data: 'edge.example.net' },
    { name: 'edge.example.net', type: 1, ttl: 60, data: '192.0.2.10' },
  ] }));
  store.tls(tlsRecord({ input, ts: 2_000n + tsShift, dstIp: '192.0.2.10', sni: 'www.example.com' }));
  store.http(httpRecord({ input, ts: 3_000n + tsShift, dstIp: '192.0.2.10', host: 'www.example.com' }));
  store.name(nameRecord({ input, ts: 4_000n + tsShift }));
  store.flow(flowRecord({ input }));
  store.anomaly({ input, frame: 3, layer: 'dns', error: 'odd' });
  store.secret({ input, type: 0x544c534b, typeName: 'TLS key log', data: Buffer.from('CLIENT_RANDOM x y\n') });
  store.harPage({ input, pageId: 'p', title: 't', ts: 5_000n + tsShift });
}

describe('duplicate inputs', () => {
  it('keeps the second input of the same file as failed, with no records and the host links of one copy', () => {
    const store = CaseStore.open(join(tempDir(), 'c.db'), { create: true });
    try {
      const a = store.addInput('/evidence/a.pcap');
      writeAll(store, a);
      expect(store.finishInput(a, summary({ sha256: SHA }))).toEqual({ status: 'done', error: null, duplicateOf: null });
      const counts = store.counts();
      const hosts = [...store.iterHosts()];
      expect(hosts.length).toBeGreaterThanOrEqual(4);

      const b = store.addInput('/elsewhere/copy-of-a.pcap');
      writeAll(store, b);
      const error = 'same SHA-256 as input 1 (a.pcap): not imported again';
      expect(store.finishInput(b, summary({ sha256: SHA, anomalies: 1 }), 'done')).toEqual({ status: 'failed', error, duplicateOf: a });
      expect(store.counts()).toEqual({ ...counts, inputs: 2 });
      expect([...store.iterHosts()]).toEqual(hosts);
      expect(store.inputs().map((i) => [i.fileName, i.status, i.error, i.sha256, i.anomalies])).toEqual([
        ['a.pcap', 'done', null, SHA, 0], ['copy-of-a.pcap', 'failed', error, SHA, 0],
      ]);
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('foreign_key_check')).toEqual([]);

      // Another file is imported as usual.
      const c = store.addInput('/evidence/c.pcap');
      writeAll(store, c);
      expect(store.finishInput(c, summary({ sha256: 'ef'.repeat(32) })).status).toBe('done');
      expect(store.counts().dns).toBe(2 * counts.dns);
    } finally {
      store.close();
    }
  });

  it('moves a host link first seen in the duplicate back to its first sighting elsewhere', () => {
    const store = CaseStore.open(join(tempDir(), 'c.db'), { create: true });
    try {
      const a = store.addInput('/evidence/a.pcap');
      store.tls(tlsRecord({ input: a, frame: 7, ts: 9_000n, dstIp: '192.0.2.20', sni: 'shared.example' }));
      store.finishInput(a, summary({ sha256: SHA }));
      // A copy whose records differ (read by another engine version, say): earlier, and one more link.
      const b = store.addInput('/evidence/a-again.pcap');
      store.tls(tlsRecord({ input: b, frame: 3, ts: 1_000n, dstIp: '192.0.2.20', sni: 'shared.example' }));
      store.tls(tlsRecord({ input: b, frame: 4, ts: 1_500n, dstIp: '192.0.2.21', sni: 'only-in-copy.example' }));
      store.flush();
      expect([...store.iterHosts()].find((h) => h.name === 'shared.example')).toMatchObject({ input: b, frame: 3, count: 2 });
      expect(store.finishInput(b, summary({ sha256: SHA })).duplicateOf).toBe(a);
      expect([...store.iterHosts()]).toEqual([
        { ip: '192.0.2.20', name: 'shared.example', source: 'sni', firstTs: 9_000n, count: 1, input: a, frame: 7, entry: null },
      ]);
    } finally {
      store.close();
    }
  });

  it('does not count an input that failed, or one with no hash, as the original', () => {
    const store = CaseStore.open(join(tempDir(), 'c.db'), { create: true });
    try {
      const a = store.addInput('/evidence/a.pcap');
      store.finishInput(a, summary({ sha256: SHA, error: 'not a capture', packets: 0 }));
      const b = store.addInput('/evidence/a.pcap');
      writeAll(store, b);
      expect(store.finishInput(b, summary({ sha256: SHA })).status).toBe('done');
      const c = store.addInput('/evidence/c.pcap');
      expect(store.finishInput(c, summary({ sha256: '' })).duplicateOf).toBeNull();
    } finally {
      store.close();
    }
  });
});
