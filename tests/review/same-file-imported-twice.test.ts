/**
 * Review finding: importing the same file into a case a second time (same SHA-256, e.g.
 * `telltale analyze x.pcapng --case c.db` run twice) is accepted silently. Its records
 * are stored twice, so every leak is counted twice (11 → 22 on the incognito scenario
 * capture), and every identifier becomes "persistent" across `inputs` — the finding
 * that an identifier survived across captures is then produced by the duplicate alone.
 * The CLI only de-duplicates paths given within one run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../electron/engine/findings/analysis.ts';
import { iterIdentifiers } from '../../electron/engine/findings/queries.ts';
import { importFile } from '../../electron/engine/import/import-file.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';
import { writeScenarioPcapng } from '../../tools/synth/scenario-phone.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function importInto(store: CaseStore, path: string): Promise<void> {
  const id = store.addInput(path);
  store.finishInput(id, await importFile(path, id, store, { pipeline: false }));
}

describe('review: the same evidence imported twice', () => {
  it('does not double the leaks nor make identifiers persistent across inputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-dup-'));
    dirs.push(dir);
    const pcapng = writeScenarioPcapng(dir, 'incognito');
    const store = CaseStore.open(join(dir, 'case.db'), { create: true });
    try {
      await importInto(store, pcapng);
      const once = await runAnalysis(store);
      expect(once.leaks).toBeGreaterThan(0);
      expect([...iterIdentifiers(store.db)].filter((i) => i.persistence.includes('inputs'))).toEqual([]);

      await importInto(store, pcapng);
      const twice = await runAnalysis(store);
      expect(twice.leaks).toBe(once.leaks);
      expect([...iterIdentifiers(store.db)].filter((i) => i.persistence.includes('inputs')).map((i) => i.kind)).toEqual([]);
    } finally {
      store.close();
    }
  });
});
