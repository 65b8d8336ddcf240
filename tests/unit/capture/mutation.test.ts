/**
 * Property tests: truncated and bit-flipped corpus files fed to every reader never
 * throw, finish with bounded output, give the same result whatever the chunking, and
 * report damage when a file is cut inside a record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readHar } from '../../../electron/engine/capture/har-reader.ts';
import { createPcapReader } from '../../../electron/engine/capture/pcap-reader.ts';
import { createPcapngReader } from '../../../electron/engine/capture/pcapng-reader.ts';
import type { PacketReader, PacketReaderEvents } from '../../../electron/engine/capture/types.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';
import { chunkSizes, collect, corpusBytes, corpusFiles, frameDigest } from './corpus.ts';

type Create = (e: PacketReaderEvents) => PacketReader;

/** Files whose original already fails to read: cutting them proves nothing about damage reporting. */
const DAMAGED = new Set(['ndpi__fuzz-truncated.pcap', 'libpcap__pcap-invalid-version-1.pcap', 'libpcap__shb-option-too-long.pcapng']);
// The 3.8 MB capture would make each of hundreds of runs slow without adding new structure.
const captures: Array<{ name: string; buf: Buffer; create: Create }> = [
  ...corpusFiles('.pcap').map((name) => ({ name, create: createPcapReader as Create })),
  ...corpusFiles('.pcapng').map((name) => ({ name, create: createPcapngReader as Create })),
].filter((c) => c.name !== 'pcapplusplus__example.pcap').map((c) => ({ ...c, buf: corpusBytes(c.name) }));

/**
 * Offsets where a record or block ends, walked from the length fields alone (a
 * deliberately naive walker, independent of the readers).
 */
function boundaries(buf: Buffer): Set<number> {
  const out = new Set<number>();
  const magic = buf.readUInt32BE(0);
  if (magic === 0x0a0d0d0a) {
    let le = true;
    for (let p = 0; p + 12 <= buf.length;) {
      if (buf.readUInt32LE(p) === 0x0a0d0d0a) le = buf.readUInt32LE(p + 8) === 0x1a2b3c4d;
      const len = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
      p += len;
      out.add(p);
    }
  } else {
    const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
    out.add(24);
    for (let p = 24; p + 16 <= buf.length;) {
      p += 16 + (le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 8));
      out.add(p);
    }
  }
  return out;
}

function outcome(create: Create, buf: Buffer, sizes?: number[]) {
  const r = collect(create, buf, sizes);
  return { frames: frameDigest(r.frames), anomalies: r.anomalies, fatal: r.reader.fatal, ifaces: r.ifaces, secrets: r.secrets.length };
}

describe('capture readers under damage', () => {
  it('a cut file yields a prefix of the frames and names the damage when cut inside a record', () => {
    fc.assert(fc.property(fc.constantFrom(...captures), fc.nat(), fc.nat(), ({ name, buf, create }, cutSeed, chunkSeed) => {
      const cut = cutSeed % buf.length;
      const full = outcome(create, buf);
      const part = outcome(create, buf.subarray(0, cut), chunkSizes(chunkSeed + 1, 32, 300));
      expect(part.frames, name).toEqual(full.frames.slice(0, part.frames.length));
      if (DAMAGED.has(name)) return;
      if (!boundaries(buf).has(cut)) {
        expect(part.anomalies.length > 0 || part.fatal !== null, `${name} cut at ${cut}`).toBe(true);
      }
    }), { numRuns: 300 });
  });

  it('bit flips never throw, stay bounded and do not depend on chunking', () => {
    fc.assert(fc.property(
      fc.constantFrom(...captures),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 16 }),
      fc.nat(),
      ({ name, buf, create }, flips, chunkSeed) => {
        const bad = Buffer.from(buf);
        for (const [pos, bit] of flips) bad[pos % bad.length] ^= 1 << bit;
        const whole = outcome(create, bad);
        expect(whole.frames.length, name).toBeLessThanOrEqual(Math.ceil(bad.length / 12));
        expect(whole.anomalies.length, name).toBeLessThanOrEqual(bad.length);
        const pieces = outcome(create, bad, chunkSizes(chunkSeed + 1, 32, 200));
        expect(pieces, name).toEqual(whole);
      },
    ), { numRuns: 300 });
  });

  it('random bytes behind each magic never throw', () => {
    const heads = [Buffer.from('d4c3b2a102000400000000000000000000000400', 'hex'), Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000', 'hex')];
    fc.assert(fc.property(fc.constantFrom(0, 1), fc.uint8Array({ minLength: 0, maxLength: 2000 }), (k, tail) => {
      const buf = Buffer.concat([heads[k], Buffer.from(tail)]);
      const create = k === 0 ? createPcapReader : createPcapngReader;
      const r = outcome(create, buf);
      expect(r).toEqual(outcome(create, buf, [1]));
    }), { numRuns: 300 });
  });
});

const hars = corpusFiles('.har').filter((n) => n !== 'mitmproxy__brokenfile.har').map((name) => ({ name, buf: corpusBytes(name) }));

function source(buf: Buffer, sizes: number[]): AsyncIterable<Buffer> {
  return (async function* () {
    let k = 0;
    for (let p = 0; p < buf.length;) {
      const n = sizes[k++ % sizes.length];
      yield buf.subarray(p, p + n);
      p += n;
    }
  })();
}

async function harOutcome(buf: Buffer, sizes: number[] = [Math.max(1, buf.length)]) {
  const sink = new CollectingSink();
  const summary = await readHar(source(buf, sizes), 1, sink);
  return { summary, http: sink.httpRecords.map((r) => `${r.entry} ${r.method} ${r.host} ${r.uri} ${r.status}`), anomalies: sink.anomalyRecords.length };
}

describe('HAR reader under damage', () => {
  it('a cut HAR reports an error and keeps a prefix of the entries', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...hars), fc.nat(), fc.nat(), async ({ name, buf }, cutSeed, chunkSeed) => {
      const lastBrace = buf.lastIndexOf('}');
      const cut = cutSeed % (lastBrace + 1);
      const full = await harOutcome(buf);
      const part = await harOutcome(buf.subarray(0, cut), chunkSizes(chunkSeed + 1, 16, 4096));
      expect(part.summary.error, `${name} cut at ${cut}`).toMatch(/^invalid HAR: /);
      expect(part.http).toEqual(full.http.slice(0, part.http.length));
    }), { numRuns: 60 });
  });

  it('bit flips never throw and do not depend on chunking', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...hars),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      async ({ buf }, flips, chunkSeed) => {
        const bad = Buffer.from(buf);
        for (const [pos, bit] of flips) bad[pos % bad.length] ^= 1 << bit;
        const whole = await harOutcome(bad);
        const pieces = await harOutcome(bad, chunkSizes(chunkSeed + 1, 16, 2048));
        expect(pieces).toEqual(whole);
        expect(whole.http.length).toBeLessThanOrEqual(1000);
      },
    ), { numRuns: 60 });
  });
});
