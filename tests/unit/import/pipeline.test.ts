/**
 * The pipelined import (dissect worker + hash worker + this thread) must find exactly
 * what the one-thread import finds, in the same order, with the same summary.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { importFile } from '../../../electron/engine/import/import-file.ts';
import { CollectingSink, type RecordSink } from '../../../electron/engine/records.ts';
import { CORPUS } from '../capture/corpus.ts';

// Bodies, QUIC, DNS over TCP, secrets, comments and name records, anomalies, a fatal header.
const FILES = [
  'pcapplusplus__example.pcap',
  'zeek__http-get-gzip.pcap',
  'zeek__http-pipelined-requests.pcap',
  'zeek__quic-multi-initial-fragmented.pcap',
  'pcapplusplus__dns_over_tcp.pcapng',
  'generated__tls-dsb.pcapng',
  'pcapplusplus__pcapng-example.pcapng',
  'ndpi__fuzz-truncated.pcap',
  'libpcap__pcap-invalid-version-1.pcap',
];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-pipeline-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('pipelined import', () => {
  it.each(FILES)('%s: same records and summary as in one thread', async (name) => {
    const path = join(CORPUS, name);
    const inline = new CollectingSink();
    const piped = new CollectingSink();
    const a = await importFile(path, 3, inline, { pipeline: false });
    let workers: { dissectMs: number | null; hashMs: number | null } | null = null;
    const b = await importFile(path, 3, piped, { pipeline: true, onWorkerCpu: (t) => { workers = t; } });
    // It really ran on the workers (not the one-thread fallback).
    expect(workers).not.toBeNull();
    expect(b).toStrictEqual(a);
    expect(b.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(piped).toStrictEqual(inline);
  });

  it('a gzip-compressed capture too', async () => {
    const dir = tempDir();
    const gz = join(dir, 'c.pcap.gz');
    const { gzipSync } = await import('node:zlib');
    writeFileSync(gz, gzipSync(readFileSync(join(CORPUS, 'zeek__http-get-gzip.pcap'))));
    const inline = new CollectingSink();
    const piped = new CollectingSink();
    const a = await importFile(gz, 1, inline, { pipeline: false });
    const b = await importFile(gz, 1, piped, { pipeline: true });
    expect(a.gzip).toBe(true);
    expect(b).toStrictEqual(a);
    expect(piped).toStrictEqual(inline);
  });

  it('stops when cancelled, keeps the hash of the whole file and says so', async () => {
    const dir = tempDir();
    const path = join(dir, 'c.pcap');
    copyFileSync(join(CORPUS, 'pcapplusplus__example.pcap'), path);
    const ac = new AbortController();
    ac.abort();
    const sink = new CollectingSink();
    const s = await importFile(path, 1, sink, { pipeline: true, signal: ac.signal });
    expect(s.error).toBe('import cancelled');
    expect(s.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    // The first chunk (the whole small file) may have been read before the flag was seen.
    const full = await importFile(path, 1, new CollectingSink(), { pipeline: false });
    expect(s.packets).toBeLessThanOrEqual(full.packets);
  });

  it('reports a sink that fails as an error and stops', async () => {
    let calls = 0;
    const broken: RecordSink = {
      ...new CollectingSink(),
      dns: () => undefined, tls: () => undefined, name: () => undefined, anomaly: () => undefined,
      secret: () => undefined, harPage: () => undefined, http: () => undefined,
      flow: () => {
        calls++;
        throw new Error('disk full');
      },
    };
    const s = await importFile(join(CORPUS, 'pcapplusplus__example.pcap'), 1, broken, { pipeline: true });
    expect(calls).toBe(1);
    expect(s.error).toMatch(/disk full/);
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
