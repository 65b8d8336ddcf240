import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createPcapReader } from '../../../electron/engine/capture/pcap-reader.ts';
import type { CaptureInterface, PacketReaderEvents } from '../../../electron/engine/capture/types.ts';
import { importFile } from '../../../electron/engine/import/import-file.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';
import { parseDuration, replayCapture, shiftedPort, type ReplayOptions } from '../../../tools/synth/replay-capture.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const CORPUS = join(ROOT, 'tests/fixtures/corpus');
const EXAMPLE = join(CORPUS, 'pcapplusplus__example.pcap');
const dir = mkdtempSync(join(tmpdir(), 'replay-capture-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;

let n = 0;
async function replay(input: string, opts: ReplayOptions): Promise<{ path: string; report: Awaited<ReturnType<typeof replayCapture>> }> {
  const path = join(dir, `r${n++}.pcap`);
  return { path, report: await replayCapture(input, path, opts) };
}

interface Frame { tsNs: bigint; data: Buffer; origLen: number }

/** Every frame of a classic pcap, copied, with the interface the reader saw. */
function frames(path: string): { frames: Frame[]; iface: CaptureInterface | null } {
  const out: Frame[] = [];
  let iface: CaptureInterface | null = null;
  const events: PacketReaderEvents = {
    frame: (f) => { out.push({ tsNs: BigInt(f.tsSec) * 1_000_000_000n + BigInt(f.tsNsec), data: Buffer.from(f.data), origLen: f.origLen }); },
    iface: (i) => { iface = i; },
    anomaly: () => {},
  };
  const r = createPcapReader(events);
  r.push(readFileSync(path));
  r.end();
  return { frames: out, iface };
}

async function records(path: string): Promise<CollectingSink> {
  const sink = new CollectingSink();
  const summary = await importFile(path, 1, sink);
  expect(summary.error).toBeNull();
  return sink;
}

/** One's-complement sum check of an IPv4 TCP/UDP segment over Ethernet; null when it cannot be checked. */
function transportChecksumOk(d: Buffer): boolean | null {
  if (d.length < 34 || d.readUInt16BE(12) !== 0x0800) return null;
  const ip = 14;
  const ihl = (d[ip] & 15) * 4;
  const proto = d[ip + 9];
  if (proto !== 6 && proto !== 17) return null;
  if ((d.readUInt16BE(ip + 6) & 0x3fff) !== 0) return null; // fragments
  const len = d.readUInt16BE(ip + 2) - ihl;
  const t = ip + ihl;
  if (t + len > d.length) return null; // cut by the snaplen
  if (proto === 17 && d.readUInt16BE(t + 6) === 0) return null; // no UDP checksum
  let sum = d.readUInt16BE(ip + 12) + d.readUInt16BE(ip + 14) + d.readUInt16BE(ip + 16) + d.readUInt16BE(ip + 18) + proto + len;
  for (let i = 0; i + 1 < len; i += 2) sum += d.readUInt16BE(t + i);
  if (len & 1) sum += d[t + len - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

function tsharkCount(path: string, filter: string): number {
  const r = spawnSync('tshark', ['-r', path, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').filter((l) => l.length > 0).length;
}

describe('shiftedPort', () => {
  it('leaves copy 0 and ports below 1024 alone, and maps each range onto itself one to one', () => {
    expect(shiftedPort(51234, 0)).toBe(51234);
    expect(shiftedPort(53, 5)).toBe(53);
    expect(shiftedPort(443, 1)).toBe(443);
    for (const [lo, hi] of [[1024, 32767], [32768, 49151], [49152, 65535]]) {
      for (const k of [1, 2, 77, 20_000]) {
        const seen = new Set<number>();
        let outside = 0;
        for (let p = lo; p <= hi; p++) {
          const q = shiftedPort(p, k);
          if (q < lo || q > hi) outside++;
          seen.add(q);
        }
        expect(outside).toBe(0);
        expect(seen.size).toBe(hi - lo + 1);
      }
    }
    expect(shiftedPort(50000, 1)).not.toBe(50000);
  });
});

describe('parseDuration', () => {
  it('reads seconds, minutes, hours and milliseconds', () => {
    expect(parseDuration('60s')).toBe(60_000_000_000n);
    expect(parseDuration('10m')).toBe(600_000_000_000n);
    expect(parseDuration('1h')).toBe(3_600_000_000_000n);
    expect(parseDuration('250ms')).toBe(250_000_000n);
    expect(parseDuration('90')).toBe(90_000_000_000n);
    expect(() => parseDuration('soon')).toThrow();
  });
});

describe('replayCapture', () => {
  it('three copies of a real capture hold three times what the engine finds in it, each copy after the previous', async () => {
    const { path, report } = await replay(EXAMPLE, { copies: 3 });
    expect(report.copies).toBe(3);
    expect(report.inputSha256).toBe(createHash('sha256').update(readFileSync(EXAMPLE)).digest('hex'));
    expect(statSync(path).size).toBe(report.bytes);

    const one = await records(EXAMPLE);
    const three = await records(path);
    expect(one.httpRecords.length).toBeGreaterThan(300);
    expect(one.dnsRecords.length).toBeGreaterThan(100);
    expect(one.tlsRecords.length).toBeGreaterThan(0);
    expect(three.httpRecords.length).toBe(3 * one.httpRecords.length);
    expect(three.dnsRecords.length).toBe(3 * one.dnsRecords.length);
    expect(three.tlsRecords.length).toBe(3 * one.tlsRecords.length);
    // Varied client ports and the gap keep every connection of every copy apart.
    expect(three.flowRecords.length).toBe(3 * one.flowRecords.length);
    const hosts = (s: CollectingSink): string[] => s.httpRecords.map((h) => `${h.method} ${h.host} ${h.uri}`).sort();
    expect(hosts(three)).toEqual([...hosts(one), ...hosts(one), ...hosts(one)].sort());

    const orig = frames(EXAMPLE);
    const rep = frames(path);
    const k = orig.frames.length;
    expect(rep.frames.length).toBe(3 * k);
    expect(rep.iface?.linkType).toBe(orig.iface?.linkType);
    expect(rep.iface?.tsDigits).toBe(orig.iface?.tsDigits);
    const span = (c: number): [bigint, bigint] => {
      const ts = rep.frames.slice(c * k, (c + 1) * k).map((f) => f.tsNs);
      return [ts.reduce((a, b) => (b < a ? b : a)), ts.reduce((a, b) => (b > a ? b : a))];
    };
    expect(span(1)[0]).toBeGreaterThan(span(0)[1]);
    expect(span(2)[0]).toBeGreaterThan(span(1)[1]);
    // The default gap outlasts the engine's TCP idle timeout (300 s).
    expect(span(1)[0] - span(0)[1]).toBeGreaterThan(300_000_000_000n);

    let portChanges = 0;
    let goodBefore = 0;
    let goodAfter = 0;
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < k; i++) {
        const a = orig.frames[i];
        const b = rep.frames[c * k + i];
        expect(b.tsNs - a.tsNs).toBe(BigInt(c) * report.strideNs);
        expect(b.data.length).toBe(a.data.length);
        expect(b.origLen).toBe(a.origLen);
        if (c === 0) {
          expect(b.data.equals(a.data)).toBe(true);
          continue;
        }
        if (!b.data.equals(a.data)) {
          portChanges++;
          // Only the ports and the transport checksum may differ (bytes 34..37 and 40/41 or 50/51).
          for (let j = 0; j < a.data.length; j++) if (a.data[j] !== b.data[j]) expect([34, 35, 36, 37, 40, 41, 50, 51]).toContain(j);
        }
        const okA = transportChecksumOk(a.data);
        if (okA === true) goodBefore++;
        // A checksum that was right is still right; one that was wrong (offload) stays wrong.
        expect(transportChecksumOk(b.data)).toBe(okA);
        if (transportChecksumOk(b.data) === true) goodAfter++;
      }
    }
    expect(portChanges).toBe(2 * report.framesWithPortChanges);
    expect(portChanges).toBeGreaterThan(k);
    expect(goodBefore).toBeGreaterThan(1000);
    expect(goodAfter).toBe(goodBefore);
  }, 60_000);

  it.skipIf(!tshark)('tshark sees three times the HTTP requests of the original in three copies', async () => {
    const { path } = await replay(EXAMPLE, { copies: 3 });
    const one = tsharkCount(EXAMPLE, 'http.request');
    expect(one).toBeGreaterThan(300);
    expect(tsharkCount(path, 'http.request')).toBe(3 * one);
    expect(tsharkCount(path, 'dns')).toBe(3 * tsharkCount(EXAMPLE, 'dns'));
  }, 60_000);

  it('writes whole copies until the size is reached; the same bytes from memory, from disk and from gzip', async () => {
    const a = await replay(EXAMPLE, { targetBytes: 10_000_000 });
    const perCopy = statSync(EXAMPLE).size - 24;
    expect(a.report.copies).toBe(Math.ceil((10_000_000 - 24) / perCopy));
    expect(a.report.bytes).toBe(24 + a.report.copies * perCopy);
    expect(a.report.heldInMemory).toBe(true);
    const b = await replay(EXAMPLE, { targetBytes: 10_000_000, holdBytes: 0 });
    expect(b.report.heldInMemory).toBe(false);
    const gz = join(dir, 'example.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(EXAMPLE)));
    const c = await replay(gz, { targetBytes: 10_000_000 });
    expect(c.report.inputGzip).toBe(true);
    const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
    expect(sha(b.path)).toBe(sha(a.path));
    expect(sha(c.path)).toBe(sha(a.path));
    // Same ports when asked: only the timestamps move.
    const d = await replay(EXAMPLE, { copies: 2, varyPorts: false });
    const f = frames(d.path).frames;
    const o = frames(EXAMPLE).frames;
    expect(f.slice(o.length).every((x, i) => x.data.equals(o[i].data))).toBe(true);
  }, 60_000);

  it('keeps the input link type and timestamp resolution', async () => {
    for (const [file, linkType, digits] of [['tcpdump__LINKTYPE_IPV6.pcap', 229, 6], ['pcapplusplus__nanosecs_big_endian.pcap', 1, 9]] as const) {
      const input = join(CORPUS, file);
      const { path, report } = await replay(input, { copies: 2 });
      const orig = frames(input);
      expect(orig.iface?.linkType).toBe(linkType);
      const rep = frames(path);
      expect(rep.iface?.linkType).toBe(linkType);
      expect(rep.iface?.tsDigits).toBe(digits);
      expect(rep.frames.length).toBe(2 * orig.frames.length);
      expect(report.nanosecond).toBe(digits === 9);
      // Nanosecond timestamps survive the shift exactly.
      expect(rep.frames[orig.frames.length].tsNs - orig.frames[0].tsNs).toBe(report.strideNs);
    }
  });

  it('refuses what a classic pcap cannot hold and what is not a capture', async () => {
    await expect(replay(join(CORPUS, 'pcapplusplus__pcapng-example.pcapng'), { copies: 2 })).rejects.toThrow(/link types/);
    await expect(replay(join(CORPUS, 'tcpdump__empty.pcapng'), { copies: 2 })).rejects.toThrow(/no packets/);
    await expect(replay(join(CORPUS, 'mitmproxy__chrome.har'), { copies: 2 })).rejects.toThrow(/HAR/);
  });
});
