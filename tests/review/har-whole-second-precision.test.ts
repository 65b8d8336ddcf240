/**
 * Review finding (precision, docs vs code): docs/export-format.md promises HAR times
 * with 3 fractional digits ("more when the HAR itself has more"), and import-file.ts
 * means to fall back to 3 (`har.tsDigits ?? 3`), but readHar returns 0 (never null) when
 * no startedDateTime has a fraction. The input then gets tsDigits 0 and every time of
 * it is printed to the second, including responseTs, which carries the millisecond
 * timings: a response 250 ms after its request is exported at the request's second.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportJson } from '../../electron/engine/export/json-export.ts';
import { importFile } from '../../electron/engine/import/import-file.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('review: HAR with whole-second start times', () => {
  it('keeps millisecond precision in the export (tsDigits 3, responseTs with its timings)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-har-digits-'));
    dirs.push(dir);
    const har = join(dir, 'whole-seconds.har');
    writeFileSync(har, JSON.stringify({
      log: {
        version: '1.2',
        creator: { name: 'review', version: '1' },
        entries: [{
          startedDateTime: '2020-01-01T10:00:00Z',
          time: 250,
          request: { method: 'GET', url: 'http://a.example/', httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
          response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: { size: 0, mimeType: 'text/plain' }, redirectURL: '', headersSize: -1, bodySize: 0 },
          cache: {},
          timings: { send: 0, wait: 250, receive: 0 },
        }],
      },
    }));
    const out = join(dir, 'out.json');
    const store = CaseStore.open(join(dir, 'case.db'), { create: true });
    try {
      const id = store.addInput(har);
      store.finishInput(id, await importFile(har, id, store));
      await exportJson(store, out);
    } finally {
      store.close();
    }
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { inputs: Array<{ tsDigits: number }>; http: Array<{ ts: string; responseTs?: string }> };
    expect(doc.inputs[0].tsDigits).toBe(3);
    expect(doc.http[0].ts).toBe('2020-01-01T10:00:00.000Z');
    expect(doc.http[0].responseTs).toBe('2020-01-01T10:00:00.250Z');
  });
});
