/** The case store's import mode: checkpoints by a worker beside the writer, the WAL kept from growing, everything checkpointed at the end. */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../../../electron/engine/store/case-store.ts';
import { httpRecord, summary, tempDir } from './records-fixture.ts';

const MB = 1024 * 1024;

/** Write `n` HTTP exchanges with 1 MiB incompressible bodies (stored raw), committing every 4. */
function writeBodies(store: CaseStore, input: number, n: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const body = randomBytes(MB);
    bodies.push(body);
    store.http(httpRecord({ input, frame: i + 1, ts: BigInt(i) * 1_000_000n, responseBody: body, responseBodySize: body.length }));
    if (i % 4 === 3) store.flush();
  }
  return bodies;
}

describe('case store import mode', () => {
  it('turns automatic checkpoints off between addInput and finishInput, and back on after', () => {
    const path = join(tempDir(), 'case.db');
    const store = CaseStore.open(path, { create: true });
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    const id = store.addInput('/evidence/a.pcap');
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    store.finishInput(id, summary());
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    store.close();
  });

  it('a large import (past the checkpoint worker threshold) ends fully checkpointed and readable', () => {
    const path = join(tempDir(), 'case.db');
    const store = CaseStore.open(path, { create: true });
    const id = store.addInput('/evidence/big.pcap');
    const bodies = writeBodies(store, id, 48);
    store.finishInput(id, summary());
    // Every frame of the WAL is in the database file now.
    const [ck] = store.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    expect(ck.busy).toBe(0);
    expect(ck.checkpointed).toBe(ck.log);
    expect(statSync(path).size).toBeGreaterThan(48 * MB);
    store.close();

    const ro = CaseStore.open(path, { readonly: true });
    const rows = ro.db.prepare('SELECT id FROM http ORDER BY frame').pluck().all() as number[];
    expect(rows).toHaveLength(48);
    expect(ro.httpBodies(rows[0]).response?.equals(bodies[0])).toBe(true);
    expect(ro.httpBodies(rows[47]).response?.equals(bodies[47])).toBe(true);
    ro.close();
  });

  it('a long import does not grow the WAL with it: it starts over once it holds 64 MiB', () => {
    const path = join(tempDir(), 'case.db');
    const store = CaseStore.open(path, { create: true });
    const id = store.addInput('/evidence/long.pcap');
    const n = 384;
    let first: Buffer | null = null;
    let last: Buffer | null = null;
    let largest = 0;
    for (let i = 0; i < n; i++) {
      const body = randomBytes(MB);
      if (i === 0) first = body;
      if (i === n - 1) last = body;
      store.http(httpRecord({ input: id, frame: i + 1, ts: BigInt(i) * 1_000_000n, responseBody: body, responseBodySize: body.length }));
      if (i % 4 === 3) {
        store.flush();
        largest = Math.max(largest, statSync(`${path}-wal`).size);
      }
    }
    store.finishInput(id, summary());
    // Every commit appended, the WAL would hold all 384 MiB. It starts over after 64 MiB;
    // a writer's checkpoint that finds the worker checkpointing is tried again at the
    // next commit (4 MiB later here, written far faster than an import writes), so the
    // file may pass 64 MiB by some commits, never by hundreds of MiB.
    expect(largest).toBeLessThan(n / 2 * MB);
    store.close();

    const ro = CaseStore.open(path, { readonly: true });
    const rows = ro.db.prepare('SELECT id FROM http ORDER BY frame').pluck().all() as number[];
    expect(rows).toHaveLength(n);
    expect(ro.httpBodies(rows[0]).response?.equals(first!)).toBe(true);
    expect(ro.httpBodies(rows[n - 1]).response?.equals(last!)).toBe(true);
    expect(ro.db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    ro.close();
  });

  it('closing in the middle of a large import loses no committed record', () => {
    const path = join(tempDir(), 'case.db');
    const store = CaseStore.open(path, { create: true });
    const id = store.addInput('/evidence/big.pcap');
    writeBodies(store, id, 40);
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM http').pluck().get()).toBe(40);
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    db.close();
  });
});
