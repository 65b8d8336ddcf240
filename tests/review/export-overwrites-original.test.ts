/**
 * Review finding: the JSON export (and the PDF export, same check) refuses only the
 * case database as its target. Pointing --json at an original capture already imported
 * into the case renames the export over it: the evidence file is destroyed, although
 * the case records its path and hash. Shown end to end with
 *   telltale analyze evidence.pcap --case c.db
 *   telltale analyze second.pcap --case c.db --json evidence.pcap   (exit 0, file replaced)
 * The CLI only compares --json with this run's positionals.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportJson } from '../../electron/engine/export/json-export.ts';
import { importFile } from '../../electron/engine/import/import-file.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('review: exports never overwrite an original', () => {
  it('refuses to write the JSON export over an input of the case', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-export-'));
    dirs.push(dir);
    const evidence = join(dir, 'evidence.pcap');
    copyFileSync(resolve('tests/fixtures/corpus/zeek__dns-ech.pcap'), evidence);
    const before = sha(evidence);
    const store = CaseStore.open(join(dir, 'case.db'), { create: true });
    try {
      const id = store.addInput(evidence);
      const summary = await importFile(evidence, id, store, { pipeline: false });
      store.finishInput(id, summary);
      expect(summary.sha256).toBe(before);
      await expect(exportJson(store, evidence)).rejects.toThrow();
    } finally {
      store.close();
    }
    expect(sha(evidence)).toBe(before);
  });
});
