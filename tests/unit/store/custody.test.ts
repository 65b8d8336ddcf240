import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../../../electron/engine/store/case-store.ts';
import pkg from '../../../package.json' with { type: 'json' };
import { tempDir } from './records-fixture.ts';

function newCase(): { path: string; store: CaseStore } {
  const path = join(tempDir(), 'case.db');
  return { path, store: CaseStore.open(path, { create: true }) };
}

describe('custody log', () => {
  it('records action, detail, tool version and host, in order', () => {
    const { store } = newCase();
    store.appendCustody('import.start', { input: 1, path: '/evidence/a.pcap' });
    const log = store.custodyLog();
    expect(log.map((e) => e.action)).toEqual(['case.create', 'import.start']);
    expect(log[1].detail).toEqual({ input: 1, path: '/evidence/a.pcap' });
    expect(log[1].tool).toBe(`telltale ${pkg.version}`);
    expect(typeof log[1].host.hostname).toBe('string');
    expect(log[1].host.pid).toBe(process.pid);
    store.close();
  });

  it('refuses UPDATE and DELETE, even through a raw connection', () => {
    const { path, store } = newCase();
    store.appendCustody('import.done', { input: 1 });
    expect(() => store.db.prepare("UPDATE custody_log SET action = 'x'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM custody_log WHERE id = 2').run()).toThrow(/append-only/);
    store.close();
    const raw = new Database(path);
    expect(() => raw.prepare("UPDATE custody_log SET detail = '{}' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM custody_log').run()).toThrow(/append-only/);
    expect(raw.prepare('SELECT count(*) FROM custody_log').pluck().get()).toBe(2);
    raw.close();
  });

  it('chains entries by SHA-256 so a rewrite behind the triggers is detected', () => {
    const { path, store } = newCase();
    store.appendCustody('import.start', { input: 1 });
    store.appendCustody('import.done', { input: 1, packets: 10 });
    const log = store.custodyLog();
    expect(log[0].prevHash).toBe('0'.repeat(64));
    expect(log[1].prevHash).toBe(log[0].hash);
    expect(log[2].prevHash).toBe(log[1].hash);
    // Recompute entry 2's hash from its stored columns, independently of the store.
    const row = store.db.prepare('SELECT * FROM custody_log WHERE id = 2').get() as Record<string, string | number>;
    const expected = createHash('sha256')
      .update(`${row.prev_hash}\n${row.id}\n${row.at}\n${row.action}\n${row.detail}\n${row.tool}\n${row.host}`)
      .digest('hex');
    expect(row.hash).toBe(expected);
    expect(store.verifyCustody()).toEqual({ ok: true, entries: 3, firstBad: null });
    store.close();

    // Someone drops the trigger and edits history: the chain shows where.
    const raw = new Database(path);
    raw.exec('DROP TRIGGER custody_log_no_update');
    raw.prepare(`UPDATE custody_log SET detail = '{"input":1,"packets":9}' WHERE id = 3`).run();
    raw.close();
    const reopened = CaseStore.open(path);
    expect(reopened.verifyCustody()).toEqual({ ok: false, entries: 3, firstBad: 3 });
    reopened.close();
  });
});
