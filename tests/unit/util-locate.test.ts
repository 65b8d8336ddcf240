import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resourceUrl, workerUrl } from '../../electron/engine/util/locate.ts';

const dir = mkdtempSync(join(tmpdir(), 'telltale-locate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('workerUrl / resourceUrl', () => {
  it('prefers the .ts source beside the caller', () => {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'w.ts'), '');
    expect(workerUrl('w', pathToFileURL(join(dir, 'src', 'caller.ts')).href).pathname).toBe(join(dir, 'src', 'w.ts'));
  });

  it('finds the bundled worker one level up when the caller sits in a chunk folder', () => {
    mkdirSync(join(dir, 'out', 'main', 'chunks'), { recursive: true });
    writeFileSync(join(dir, 'out', 'main', 'import-worker.js'), '');
    const base = pathToFileURL(join(dir, 'out', 'main', 'chunks', 'run-import-abc.js')).href;
    expect(workerUrl('import-worker', base).pathname).toBe(join(dir, 'out', 'main', 'import-worker.js'));
  });

  it('finds resources/ from a bundle chunk', () => {
    mkdirSync(join(dir, 'resources', 'trackers'), { recursive: true });
    writeFileSync(join(dir, 'resources', 'trackers', 't.json'), '{}');
    const base = pathToFileURL(join(dir, 'out', 'main', 'chunks', 'enricher.js')).href;
    expect(resourceUrl('trackers/t.json', '../../../resources/trackers/t.json', base).pathname).toBe(join(dir, 'resources', 'trackers', 't.json'));
  });
});
