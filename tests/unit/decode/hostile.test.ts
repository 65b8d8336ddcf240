import { constants, createGzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePayload } from '../../../electron/engine/decode/decode-tree.ts';
import { DEFAULT_DECODE_LIMITS } from '../../../electron/engine/decode/types.ts';
import { pbString, seededBytes } from './helpers.ts';

const MiB = 1024 * 1024;

/** gzip of `total` zero bytes, compressed chunk by chunk so memory holds only the output. */
async function gzipZeros(total: number, level: number): Promise<Buffer> {
  const chunk = Buffer.alloc(MiB);
  const gz = createGzip({ level });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  for (let done = 0; done < total; done += MiB) {
    if (!gz.write(chunk)) await new Promise<void>((resolve) => gz.once('drain', resolve));
  }
  gz.end();
  await ended;
  return Buffer.concat(out);
}

describe('hostile payloads: limits stop the branch, record an anomaly, never throw', () => {
  // base64 of base64 … 50 times of one character: 11 MB of text, every layer plausible
  // base64, each layer 3/4 of the one before.
  let nested = 'x';
  for (let i = 0; i < 50; i++) nested = Buffer.from(nested).toString('base64');

  it('stops nested base64 (50 layers) at the output budget', () => {
    const r = decodePayload(nested);
    // Layers of 8.2 and 6.2 MB fit in 16 MiB; the third would not.
    expect(r.anomalies).toEqual([
      { chain: 'base64 → base64', error: "base64 not decoded: output would pass the payload's 16 MiB budget" },
    ]);
    expect(r.nodeCount).toBe(3);
    expect(r.outputBytes).toBeLessThanOrEqual(DEFAULT_DECODE_LIMITS.maxOutputBytes);
    expect(r.root.value?.length).toBe(DEFAULT_DECODE_LIMITS.maxValueChars);
    expect(r.root.truncated).toBe(true);
  });

  it('stops nested base64 (50 layers) at the depth limit when the budget allows more', () => {
    const r = decodePayload(nested, { maxOutputBytes: 64 * MiB });
    const deepest = Math.max(...r.leaves().map((l) => l.steps.length));
    expect(deepest).toBe(DEFAULT_DECODE_LIMITS.maxDepth);
    expect(r.anomalies).toEqual([
      { chain: Array(12).fill('base64').join(' → '), error: 'base64 not decoded: depth limit (12 steps) reached' },
    ]);
    expect(r.nodeCount).toBe(DEFAULT_DECODE_LIMITS.maxDepth + 1);
    // With a smaller depth limit the same payload stops earlier.
    const shallow = decodePayload(nested, { maxDepth: 3, maxOutputBytes: 64 * MiB });
    expect(Math.max(...shallow.leaves().map((l) => l.steps.length))).toBe(3);
  });

  it('stops a gzip bomb (1 GiB of zeros) at the decompression cap', async () => {
    const bomb = await gzipZeros(1024 * MiB, 1);
    expect(bomb.length).toBeLessThan(8 * MiB);
    const r = decodePayload(bomb);
    expect(r.anomalies).toEqual([
      { chain: '', error: 'gzip output beyond the 8 MiB cap (decompression bomb?)' },
    ]);
    expect(r.outputBytes).toBe(0);
    expect(r.root.children).toEqual([]);

    // The same bomb in the motivating envelope: found, stopped, attributed to its chain.
    const env = decodePayload('gzip=1&data_list=' + encodeURIComponent(bomb.toString('base64')));
    expect(env.anomalies).toEqual([
      { chain: 'form:data_list → base64', error: 'gzip output beyond the 8 MiB cap (decompression bomb?)' },
    ]);
    expect(env.outputBytes).toBeLessThanOrEqual(DEFAULT_DECODE_LIMITS.maxOutputBytes);
  }, 120_000);

  it('stops a small, very compressible stream at the expansion ratio', () => {
    const bomb = gzipSync(Buffer.alloc(64 * MiB), { level: constants.Z_BEST_COMPRESSION });
    // 64 KiB in, 100× would be ~6.4 MiB: under the 8 MiB cap, so the ratio trips.
    expect(bomb.length * 100).toBeLessThan(8 * MiB);
    const r = decodePayload(bomb);
    expect(r.anomalies).toEqual([{ chain: '', error: 'gzip expansion beyond 100× (decompression bomb?)' }]);
    // Allowed a higher ratio and cap, it decodes (to binary zeros: nothing to read).
    const ok = decodePayload(bomb, { maxExpansionRatio: 2000, maxDecompressedBytes: 65 * MiB, maxOutputBytes: 65 * MiB });
    expect(ok.anomalies).toEqual([]);
    expect(ok.root.children[0].size).toBe(64 * MiB);
  });

  it('keeps total output within the payload budget across many decompressions', () => {
    // Hex text compresses about 2×: each field is ~2 MiB of base64 → 1.5 MiB gzip → 3 MiB JSON.
    const one = gzipSync(Buffer.from(JSON.stringify({ pad: seededBytes(7, 1.5 * MiB).toString('hex') })));
    const body = Array.from({ length: 8 }, (_, i) => `f${i}=${encodeURIComponent(one.toString('base64'))}`).join('&');
    const r = decodePayload(body);
    expect(r.outputBytes).toBeLessThanOrEqual(DEFAULT_DECODE_LIMITS.maxOutputBytes);
    expect(r.anomalies.some((a) => a.error.includes('budget'))).toBe(true);
    // The fields that fit were decoded.
    expect(r.leaves().filter((l) => l.chain.endsWith('json:$.pad')).length).toBe(3);
  });

  it('refuses JSON nested 100k deep before parsing it', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const r = decodePayload(deep);
    expect(r.anomalies).toEqual([{ chain: '', error: 'JSON not parsed: nesting deeper than 64' }]);
    expect(r.root.children).toEqual([]);
    // Inside an envelope, the anomaly names the chain.
    const inner = decodePayload(JSON.stringify({ x: deep }));
    expect(inner.anomalies).toEqual([{ chain: 'json:$.x', error: 'JSON not parsed: nesting deeper than 64' }]);
  });

  it('stops a form of 100k fields at the node limit', () => {
    const body = Array.from({ length: 100_000 }, (_, i) => `k${i}=v${i}`).join('&');
    const r = decodePayload(body);
    expect(r.nodeCount).toBe(DEFAULT_DECODE_LIMITS.maxNodes);
    expect(r.leaves().length).toBe(DEFAULT_DECODE_LIMITS.maxNodes - 1);
    expect(r.leaves()[0]).toMatchObject({ chain: 'form:k0', value: 'v0' });
    expect(r.anomalies.length).toBe(1);
    expect(r.anomalies[0].error).toContain('node limit');
  });

  it('survives random bytes: no throw, next to nothing decoded', () => {
    const big = decodePayload(seededBytes(1, 4 * MiB));
    expect(big.root.kind).toBe('binary');
    expect(big.nodeCount).toBe(1);
    let decoded = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = decodePayload(seededBytes(seed * 7919, 16 + (seed % 500)));
      if (r.root.kind !== 'binary' || r.root.children.length > 0) decoded++;
    }
    // Random bytes of 16+ bytes are almost never text, protobuf with a string, or a codec.
    expect(decoded).toBeLessThanOrEqual(3);
  });

  it('bounds deeply nested protobuf', () => {
    let msg: number[] = pbString(1, 'innermost string');
    for (let i = 0; i < 2000; i++) msg = pbString(1, msg);
    const r = decodePayload(Buffer.from(msg), undefined, { contentType: 'application/x-protobuf' });
    // Nesting past maxProtobufDepth stays bytes; the parse neither recurses without end nor throws.
    expect(r.root.kind).toBe('protobuf');
    expect(r.nodeCount).toBeLessThan(10);
  });

  it('bounds work on text that looks encoded at every level', () => {
    // Percent-encoding of percent-encoding … of a URL.
    let s = 'https://news.example/?q=asylum';
    for (let i = 0; i < 40; i++) s = encodeURIComponent(s);
    const r = decodePayload(s);
    expect(Math.max(...r.leaves().map((l) => l.steps.length))).toBeLessThanOrEqual(DEFAULT_DECODE_LIMITS.maxDepth);
    expect(r.anomalies.some((a) => a.error.includes('depth limit'))).toBe(true);
  });

  it('stops at the work limit', () => {
    const body = Array.from({ length: 50 }, (_, i) => `k${i}=${'x'.repeat(10_000)}`).join('&');
    const r = decodePayload(body, { maxWork: 100_000 });
    expect(r.anomalies.some((a) => a.error.includes('work limit'))).toBe(true);
    expect(r.leaves().length).toBeLessThan(50);
  });
});
