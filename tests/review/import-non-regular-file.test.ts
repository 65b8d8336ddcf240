/**
 * Review finding: importFile() accepts any path. For a character device such as
 * /dev/zero the sniff fails at once ("not a capture"), but the `finally` block then
 * hashes "the rest of the file" with source.digest(), which never ends; a FIFO blocks
 * in open() before anything is read. The CLI rejects non-regular files itself, but the
 * engine API (case-engine.startImport → import queue → import worker) does not, so one
 * such path stalls the serialised import queue for the rest of the session.
 * Each import runs in a child process so a hang is killed by the timeout, not leaked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const IMPORT_FILE = resolve('electron/engine/import/import-file.ts');
const RECORDS = resolve('electron/engine/records.ts');

function importInChild(path: string): { status: number | null; stdout: string; timedOut: boolean } {
  const script = `
    import { importFile } from ${JSON.stringify(IMPORT_FILE)};
    import { CollectingSink } from ${JSON.stringify(RECORDS)};
    const s = await importFile(${JSON.stringify(path)}, 1, new CollectingSink(), { pipeline: false });
    process.stdout.write(JSON.stringify({ error: s.error, format: s.format }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, timedOut: r.error !== undefined || r.signal !== null };
}

describe.skipIf(!existsSync('/dev/zero'))('review: importing something that is not a regular file', () => {
  it('gives a clear error for a character device instead of hashing it forever', () => {
    const r = importInChild('/dev/zero');
    expect(r.timedOut, 'importFile(/dev/zero) did not finish within 15 s').toBe(false);
    const s = JSON.parse(r.stdout) as { error: string | null; format: string | null };
    expect(s.format).toBeNull();
    expect(s.error).not.toBeNull();
  }, 30_000);
});
