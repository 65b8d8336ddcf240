/** importFile on what is not a capture file: non-regular files, gzip inside gzip, gzip of noise, an empty gzip. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importFile } from '../../../electron/engine/import/import-file.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';
import { tempDir } from '../store/records-fixture.ts';

const CORPUS = resolve(import.meta.dirname, '../../fixtures/corpus');

async function errorOf(path: string): Promise<{ error: string | null; format: string | null; gzip: boolean }> {
  const s = await importFile(path, 1, new CollectingSink(), { pipeline: false });
  return { error: s.error, format: s.format, gzip: s.gzip };
}

/** importFile in a child process, so a regression that blocks in open() is killed by the timeout. */
function importInChild(path: string): { stdout: string; timedOut: boolean } {
  const script = `
    import { importFile } from ${JSON.stringify(resolve('electron/engine/import/import-file.ts'))};
    import { CollectingSink } from ${JSON.stringify(resolve('electron/engine/records.ts'))};
    const s = await importFile(${JSON.stringify(path)}, 1, new CollectingSink(), { pipeline: false });
    process.stdout.write(JSON.stringify({ error: s.error, format: s.format }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
  return { stdout: r.stdout, timedOut: r.error !== undefined || r.signal !== null };
}

describe('importFile refuses what is not a regular file', () => {
  it('names a directory as such', async () => {
    const dir = join(tempDir(), 'captures.pcap');
    mkdirSync(dir);
    expect(await errorOf(dir)).toEqual({ error: `not a regular file: ${dir} is a directory; expected a pcap, pcapng or HAR capture file`, format: null, gzip: false });
  });

  it.skipIf(!existsSync('/dev/null'))('names a character device as such', async () => {
    expect((await errorOf('/dev/null')).error).toBe('not a regular file: /dev/null is a character device; expected a pcap, pcapng or HAR capture file');
  });

  const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
  it.skipIf(!hasMkfifo)('refuses a FIFO without opening it (an open would wait for a writer)', () => {
    const fifo = join(tempDir(), 'live.pcap');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = importInChild(fifo);
    expect(r.timedOut).toBe(false);
    expect(JSON.parse(r.stdout)).toEqual({ error: `not a regular file: ${fifo} is a named pipe (FIFO); expected a pcap, pcapng or HAR capture file`, format: null });
  }, 30_000);

  it('reports a missing file as not openable', async () => {
    expect((await errorOf(join(tempDir(), 'gone.pcap'))).error).toMatch(/^cannot open file: .*ENOENT|^cannot open file: .*no such file/i);
  });
});

describe('importFile on gzip files that hold no capture', () => {
  it('says "gzip inside gzip" for a capture compressed twice', async () => {
    const path = join(tempDir(), 'twice.pcap.gz');
    writeFileSync(path, gzipSync(gzipSync(readFileSync(join(CORPUS, 'zeek__dns-ech.pcap')))));
    const r = await errorOf(path);
    expect(r).toMatchObject({ format: null, gzip: true });
    expect(r.error).toMatch(/^gzip inside gzip: the file was compressed twice/);
  });

  it('says the file was gzip-compressed and what its content starts with', async () => {
    const noise = randomBytes(4096);
    // Not by chance a capture, JSON or gzip magic.
    noise[0] = 0x00;
    const path = join(tempDir(), 'noise.gz');
    writeFileSync(path, gzipSync(noise));
    const r = await errorOf(path);
    const shown = Array.from(noise.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
    expect(r.error).toBe(`gzip-compressed, but not a capture: starts with bytes ${shown} (expected pcap, pcapng or HAR/JSON inside the gzip)`);
  });

  it('says an empty gzip holds nothing', async () => {
    const path = join(tempDir(), 'empty.pcap.gz');
    writeFileSync(path, gzipSync(Buffer.alloc(0)));
    expect((await errorOf(path)).error).toBe('gzip-compressed, but it holds nothing: expected a pcap, pcapng or HAR capture inside');
  });
});
