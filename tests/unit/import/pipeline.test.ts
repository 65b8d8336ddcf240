/**
 * The pipelined import (dissect worker + hash worker + this thread) must find exactly
 * what the one-thread import finds, in the same order, with the same summary.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { importFile } from '../../../electron/engine/import/import-file.ts';
import {
  jobsGiven, startAhead, startPipelineAhead, stopAhead, waitingAhead,
} from '../../../electron/engine/import/worker-start.ts';
import { CollectingSink, type RecordSink } from '../../../electron/engine/records.ts';
import { CORPUS } from '../capture/corpus.ts';
import { LINKTYPE, ipv4, udp, writePcap } from '../dissect/build.ts';

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

/** The jobs startWorker gave, by kind and how, while `run` ran. */
async function jobsGivenBy<T>(run: () => Promise<T>): Promise<{ result: T; given: ReturnType<typeof jobsGiven> }> {
  const before = jobsGiven();
  const result = await run();
  const after = jobsGiven();
  const given = {
    dissect: { ahead: after.dissect.ahead - before.dissect.ahead, new: after.dissect.new - before.dissect.new },
    hash: { ahead: after.hash.ahead - before.hash.ahead, new: after.hash.new - before.hash.new },
  };
  return { result, given };
}

type WorkerCpu = { dissectMs: number | null; hashMs: number | null };

/**
 * `path` imported in one thread, then pipelined: both summaries and sinks, the CPU times
 * the pipelined import's workers reported, and the jobs startWorker gave for it.
 */
async function importBothWays(path: string, input: number) {
  const inline = new CollectingSink();
  const a = await importFile(path, input, inline, { pipeline: false });
  const piped = new CollectingSink();
  const cpu: WorkerCpu[] = [];
  const { result: b, given } = await jobsGivenBy(() =>
    importFile(path, input, piped, { pipeline: true, onWorkerCpu: (t) => { cpu.push(t); } }));
  return { a, b, inline, piped, cpu, given };
}

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
    let workers: WorkerCpu | null = null;
    const b = await importFile(path, 3, piped, { pipeline: true, onWorkerCpu: (t) => { workers = t; } });
    // It really ran on the workers (not the one-thread fallback).
    expect(workers).not.toBeNull();
    expect(b).toStrictEqual(a);
    expect(b.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(piped).toStrictEqual(inline);
  });

  it('hands the file to workers started ahead, which give the same records as one thread', async () => {
    // Whatever fails, no worker is left waiting for the tests that follow.
    onTestFinished(stopAhead);
    startPipelineAhead();
    expect(waitingAhead()).toBe(2);
    const { a, b, inline, piped, cpu, given } = await importBothWays(join(CORPUS, 'pcapplusplus__example.pcap'), 2);
    // Both were handed the job (none left waiting, no new one started) and both did the
    // work: each reported its CPU time.
    expect(given).toStrictEqual({ dissect: { ahead: 1, new: 0 }, hash: { ahead: 1, new: 0 } });
    expect(waitingAhead()).toBe(0);
    const workers = cpu.at(-1) ?? null;
    expect(workers).not.toBeNull();
    expect(workers!.dissectMs).not.toBeNull();
    expect(workers!.hashMs).not.toBeNull();
    expect(b).toStrictEqual(a);
    expect(piped).toStrictEqual(inline);
  });

  it('ends workers started ahead that were not used, and then starts new ones', async () => {
    // Started ahead, then ended before the file came: none is left waiting, and the import
    // that follows starts its own and gives the one-thread import's records.
    startAhead('dissect');
    stopAhead();
    expect(waitingAhead()).toBe(0);
    const { a, b, inline, piped, cpu, given } = await importBothWays(join(CORPUS, 'zeek__http-get-gzip.pcap'), 1);
    // A new dissect worker did the file: the one-thread fallback (a worker that could not
    // start) reports no dissect time.
    expect(given).toStrictEqual({ dissect: { ahead: 0, new: 1 }, hash: { ahead: 0, new: 1 } });
    expect(cpu).toHaveLength(1);
    expect(cpu[0].dissectMs).toEqual(expect.any(Number));
    expect(b).toStrictEqual(a);
    expect(piped).toStrictEqual(inline);
  });

  it('does not hand the file to a worker started ahead that died, but to a new one', async () => {
    const path = join(CORPUS, 'zeek__http-pipelined-requests.pcap');
    onTestFinished(stopAhead);
    startPipelineAhead();
    // The dissect worker started ahead dies before the file comes; the hash worker waits on.
    const dead = startAhead('dissect');
    expect(dead).not.toBeNull();
    const exited = once(dead!, 'exit');
    void dead!.terminate();
    await exited;
    expect(waitingAhead()).toBe(1);
    const { a, b, inline, piped, cpu, given } = await importBothWays(path, 1);
    expect(given).toStrictEqual({ dissect: { ahead: 0, new: 1 }, hash: { ahead: 1, new: 0 } });
    expect(waitingAhead()).toBe(0);
    // The new dissect worker did the file (not the one-thread fallback).
    expect(cpu).toHaveLength(1);
    expect(cpu[0].dissectMs).toEqual(expect.any(Number));
    expect(cpu[0].hashMs).toEqual(expect.any(Number));
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

  it('reports a file written to while it is imported instead of giving it a hash', async () => {
    // 42 MB: ten read chunks. A DNS query (a record) every 60 kB, so every chunk yields a batch and
    // flow control keeps the dissect worker at most four chunks ahead of this thread.
    const query = Buffer.concat([
      Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from([7]), Buffer.from('example'), Buffer.from([3]), Buffer.from('com'), Buffer.from([0, 0, 1, 0, 1]),
    ]);
    const filler = Buffer.alloc(60_000, 0x5a);
    const frames: Array<{ data: Buffer }> = [];
    for (let i = 0; i < 700; i++) {
      frames.push({ data: ipv4({ src: '10.0.0.1', dst: '10.0.0.53', proto: 17 }, udp({ sport: 20_000 + i, dport: 53 }, query)) });
      frames.push({ data: ipv4({ src: '10.0.0.1', dst: '10.0.0.9', proto: 17 }, udp({ sport: 9, dport: 9 }, filler)) });
    }
    const path = join(tempDir(), 'grows.pcap');
    writeFileSync(path, writePcap(LINKTYPE.RAW, frames));
    const sink = new CollectingSink();
    const dns = sink.dns.bind(sink);
    let appended = false;
    sink.dns = (r) => {
      // The first record arrives while the dissect worker is still reading: the file grows under it.
      if (!appended) appendFileSync(path, Buffer.alloc(16));
      appended = true;
      dns(r);
    };
    const s = await importFile(path, 1, sink, { pipeline: true });
    expect(appended).toBe(true);
    expect(s.error).toBe('cannot hash file: the file changed while it was being hashed');
    expect(s.sha256).toBe('');
    expect(sink.dnsRecords.length).toBe(700);
  });
});
