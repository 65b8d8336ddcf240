/** Read-only streaming file access: decoded chunks, transparent gunzip, SHA-256 of the original bytes. */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { RAW_CHUNK, openSource, type RawTee } from '../../../electron/engine/capture/file-source.ts';
import { createPcapReader } from '../../../electron/engine/capture/pcap-reader.ts';
import { CORPUS, truthOf } from './corpus.ts';

const dir = mkdtempSync(join(tmpdir(), 'telltale-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function drain(path: string): Promise<{ data: Buffer; chunks: number[]; digest: string; raw: number; size: number; gzip: boolean }> {
  const s = await openSource(path);
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c));
  const digest = await s.digest();
  const out = { data: Buffer.concat(parts), chunks: parts.map((p) => p.length), digest, raw: s.rawBytesRead, size: s.size, gzip: s.gzip };
  await s.close();
  return out;
}

describe('openSource', () => {
  it('streams a plain corpus file unchanged and hashes it', async () => {
    const path = `${CORPUS}pcapplusplus__example.pcap`;
    const bytes = readFileSync(path);
    const r = await drain(path);
    expect(r.gzip).toBe(false);
    expect(r.data.equals(bytes)).toBe(true);
    expect(r.size).toBe(bytes.length);
    expect(r.raw).toBe(bytes.length);
    expect(r.digest).toBe(sha256(bytes));
  });

  it('gunzips a gzip file on the fly and hashes the compressed bytes', async () => {
    const name = 'pcapplusplus__example.pcap';
    const original = readFileSync(CORPUS + name);
    const gz = gzipSync(original);
    const path = join(dir, `${name}.gz`);
    writeFileSync(path, gz);
    const r = await drain(path);
    expect(r.gzip).toBe(true);
    expect(r.data.equals(original)).toBe(true);
    expect(r.size).toBe(gz.length);
    expect(r.raw).toBe(gz.length);
    expect(r.digest).toBe(sha256(gz));

    // And the decoded stream feeds a reader to the truth's packet count.
    const s = await openSource(path);
    let frames = 0;
    const reader = createPcapReader({ frame() { frames++; }, iface() {}, anomaly() {} });
    for await (const c of s) reader.push(c);
    reader.end();
    await s.close();
    expect(frames).toBe(truthOf(name)?.packet_count);
  });

  it('reads files larger than one chunk in bounded chunks (plain and gzip)', async () => {
    const big = randomBytes(RAW_CHUNK * 2 + 12345);
    const plain = join(dir, 'big.bin');
    writeFileSync(plain, big);
    const r = await drain(plain);
    expect(r.chunks.length).toBe(3);
    expect(Math.max(...r.chunks)).toBeLessThanOrEqual(RAW_CHUNK);
    expect(r.data.equals(big)).toBe(true);
    expect(r.digest).toBe(sha256(big));

    const gzPath = join(dir, 'big.bin.gz');
    const gz = gzipSync(big);
    writeFileSync(gzPath, gz);
    const g = await drain(gzPath);
    expect(g.chunks.length).toBeGreaterThan(1);
    expect(Math.max(...g.chunks)).toBeLessThanOrEqual(RAW_CHUNK);
    expect(g.data.equals(big)).toBe(true);
    expect(g.digest).toBe(sha256(gz));
  });

  it('hashes the whole file even when the consumer stops after the first chunk', async () => {
    const big = randomBytes(RAW_CHUNK + 999);
    const gz = gzipSync(big, { level: 0 });
    for (const [name, bytes] of [['stop.bin', big], ['stop.bin.gz', gz]] as const) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const s = await openSource(path);
      for await (const c of s) { expect(c.length).toBeGreaterThan(0); break; }
      expect(s.rawBytesRead).toBeLessThanOrEqual(bytes.length);
      expect(await s.digest()).toBe(sha256(bytes));
      expect(s.rawBytesRead).toBe(bytes.length);
      await s.close();
      await s.close();
    }
  });

  it('opens a read-only file and leaves it untouched', async () => {
    const path = join(dir, 'ro.pcap');
    const bytes = readFileSync(`${CORPUS}tcpdump__pptp.pcap`);
    writeFileSync(path, bytes);
    chmodSync(path, 0o444);
    const before = statSync(path);
    const r = await drain(path);
    expect(r.data.equals(bytes)).toBe(true);
    const after = statSync(path);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.size).toBe(before.size);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('surfaces damaged gzip data as an error from the iteration, and a missing file from open', async () => {
    const gz = gzipSync(randomBytes(100_000));
    gz.fill(0x55, 40, 400);
    const path = join(dir, 'bad.gz');
    writeFileSync(path, gz);
    const s = await openSource(path);
    await expect((async () => { for await (const c of s) void c; })()).rejects.toThrow(/^gzip data is damaged after \d+ compressed bytes/);
    expect(await s.digest()).toBe(sha256(gz));
    await s.close();
    await expect(openSource(join(dir, 'missing.pcap'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses to hand out a partial hash after close', async () => {
    const path = join(dir, 'close.bin');
    writeFileSync(path, randomBytes(10));
    const s = await openSource(path);
    await s.close();
    await expect(s.digest()).rejects.toThrow(/after close/);
  });

  it('reads raw chunks through a tee, decodes gzip from copies, and reads the rest for the tee alone', async () => {
    const big = randomBytes(2 * RAW_CHUNK + 4321);
    const gz = gzipSync(big, { level: 1 });
    for (const [name, bytes, gzip] of [['tee.bin', big, false], ['tee.bin.gz', gz, true]] as const) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      // Two buffers taken in turn, each overwritten as soon as it is handed out again: what the ring does.
      const slots = [Buffer.alloc(RAW_CHUNK), Buffer.alloc(RAW_CHUNK)];
      const seen: Buffer[] = [];
      let turn = 0;
      const tee: RawTee = {
        next: () => slots[turn++ % 2].fill(0xee),
        filled: (n) => { seen.push(Buffer.from(slots[(turn - 1) % 2].subarray(0, n))); },
      };
      const whole = await openSource(path, { hash: false, tee });
      expect(whole.gzip).toBe(gzip);
      const decoded: Buffer[] = [];
      for await (const c of whole) decoded.push(Buffer.from(c));
      await whole.close();
      expect(Buffer.concat(decoded).equals(big)).toBe(true);
      expect(Buffer.concat(seen).equals(bytes)).toBe(true);

      seen.length = 0;
      const s = await openSource(path, { hash: false, tee });
      for await (const c of s) { void c; break; }
      // The consumer stopped early; the tee still gets every raw byte, once, in order.
      await s.readRest();
      expect(Buffer.concat(seen).equals(bytes)).toBe(true);
      expect(await s.unchanged()).toBe(true);
      await s.close();
    }
  });

  it('says whether the file changed since it was opened, or was not read to its end', async () => {
    const path = join(dir, 'grows.bin');
    // Three chunks and a bit: after the first, the read-ahead has read the second only.
    writeFileSync(path, randomBytes(3 * RAW_CHUNK + 10));
    const s = await openSource(path, { hash: false });
    for await (const c of s) { void c; break; }
    expect(await s.unchanged()).toBe(false); // not read to the end yet
    await s.readRest();
    expect(await s.unchanged()).toBe(true);
    appendFileSync(path, Buffer.from('more'));
    expect(await s.unchanged()).toBe(false);
    await s.close();
  });

  it('reads the next chunk ahead without touching the chunk in use, with reused buffers and through a tee', async () => {
    const bytes = randomBytes(4 * RAW_CHUNK + 777);
    const path = join(dir, 'ahead.bin');
    writeFileSync(path, bytes);
    // A tee of three buffers, as the hash ring has: it records which buffer each read went to.
    const slots = [Buffer.alloc(RAW_CHUNK), Buffer.alloc(RAW_CHUNK), Buffer.alloc(RAW_CHUNK)];
    let k = 0;
    const tee: RawTee = { next: () => slots[k % 3], filled: () => { k++; } };
    for (const opts of [{ hash: false, reuseBuffer: true }, { hash: false, tee }]) {
      const s = await openSource(path, opts);
      let at = 0;
      for await (const c of s) {
        const before = s.rawBytesRead;
        // Let the read-ahead finish (unchanged() waits for reads in flight): the chunk
        // in hand must still hold its own bytes, not the next chunk's.
        await s.unchanged();
        if (at + c.length < bytes.length) expect(s.rawBytesRead).toBeGreaterThan(before);
        expect(c.equals(bytes.subarray(at, at + c.length))).toBe(true);
        at += c.length;
      }
      expect(at).toBe(bytes.length);
      await s.close();
    }
  });
});
