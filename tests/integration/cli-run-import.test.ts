import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport, type RunProgress } from '../../electron/engine/import/run-import.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';
import { dnsMessage, fillerPcap, pcapFile, udpFrame } from '../unit/store/pcap-fixture.ts';
import { tempDir } from '../unit/store/records-fixture.ts';

describe('runImport (worker thread)', () => {
  it('imports a generated pcap into the case; a bad file does not stop the others', async () => {
    const dir = tempDir();
    const casePath = join(dir, 'case.db');
    CaseStore.open(casePath, { create: true }).close();
    const dns = join(dir, 'dns.pcap');
    writeFileSync(dns, pcapFile([
      udpFrame('10.0.0.2', 53001, '10.0.0.1', 53, dnsMessage(0xbeef, 'www.telltale.test')),
      udpFrame('10.0.0.1', 53, '10.0.0.2', 53001, dnsMessage(0xbeef, 'www.telltale.test', { cname: 'edge.cdn.test', address: '192.0.2.1' })),
    ]));
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a capture\n');
    const missing = join(dir, 'missing.pcap');

    const events: RunProgress[] = [];
    const results = await runImport(casePath, [text, missing, dns], { onProgress: (p) => events.push(p) });

    expect(results.map((r) => r.status)).toEqual(['failed', 'failed', 'done']);
    expect(results[0].error).toBeTruthy();
    expect(results[1].error).toMatch(/no such file/);
    expect(results[2].summary).toMatchObject({ format: 'pcap', packets: 2, linkTypes: [1], tsDigits: 6, error: null });
    expect(events.filter((e) => e.phase === 'start').map((e) => e.index)).toEqual([0, 1, 2]);
    expect(events.filter((e) => e.phase === 'done').map((e) => e.index)).toEqual([0, 1, 2]);

    const store = CaseStore.open(casePath, { readonly: true });
    const inputs = store.inputs();
    expect(inputs.map((i) => [i.fileName, i.status])).toEqual([['notes.txt', 'failed'], ['missing.pcap', 'failed'], ['dns.pcap', 'done']]);
    expect(inputs[2].firstTs).toBe(1_700_000_000_000_000_000n);
    expect(inputs[2].lastTs).toBe(1_700_000_000_001_000_000n);
    const records = [...store.iterDns()];
    expect(records.map((r) => [r.frame, r.response, r.qname, r.qtype])).toEqual([[1, false, 'www.telltale.test', 1], [2, true, 'www.telltale.test', 1]]);
    const links = [...store.iterHosts()].map((h) => `${h.ip} ${h.name} ${h.source} @${h.frame}`);
    expect(links).toEqual(['192.0.2.1 edge.cdn.test dns @2', '192.0.2.1 www.telltale.test dns @2']);
    expect(store.custodyLog().map((c) => c.action)).toEqual([
      'case.create', 'import.start', 'import.failed', 'import.start', 'import.failed', 'import.start', 'import.done',
    ]);
    expect(store.verifyCustody().ok).toBe(true);
    store.close();
  });

  it('stops at the next read after cancellation and skips the files not started', async () => {
    const dir = tempDir();
    const casePath = join(dir, 'case.db');
    CaseStore.open(casePath, { create: true }).close();
    // Several raw-read chunks each, so the cancel lands while the first file is being read.
    const files = ['a.pcap', 'b.pcap', 'c.pcap'].map((n) => join(dir, n));
    const big = fillerPcap(18 * 1024 * 1024);
    for (const f of files) writeFileSync(f, big);
    const ac = new AbortController();
    const results = await runImport(casePath, files, {
      signal: ac.signal,
      onProgress: (p) => { if (p.phase === 'start' && p.index === 0) ac.abort(); },
    });
    const statuses = results.map((r) => r.status).join(' ');
    expect(statuses).toMatch(/^(done )*(cancelled )?skipped( skipped)*$/);
    expect(results[2].status).toBe('skipped');

    const store = CaseStore.open(casePath, { readonly: true });
    const started = results.filter((r) => r.inputId !== null);
    expect(store.inputs().map((i) => i.status)).toEqual(started.map((r) => r.status));
    const cancelled = results.find((r) => r.status === 'cancelled');
    if (cancelled) {
      expect(cancelled.summary?.packets).toBeLessThan(big.length / 1400);
      expect(store.custodyLog().map((c) => c.action)).toContain('import.cancelled');
    }
    store.close();
    // Cancelled before starting: nothing is run at all.
    const none = await runImport(casePath, files, { signal: AbortSignal.abort() });
    expect(none.map((r) => r.status)).toEqual(['skipped', 'skipped', 'skipped']);
  });
});
