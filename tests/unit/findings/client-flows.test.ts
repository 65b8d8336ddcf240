import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { clientFlowGroups, macByInputIp } from '../../../electron/engine/findings/analysis.ts';
import type { ModeResolver } from '../../../electron/engine/findings/modes.ts';
import { usableMac } from '../../../electron/engine/correlate/entities.ts';

/** A flows table with only the columns the client grouping reads. */
function flowsDb(): Database.Database {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE flows (id INTEGER PRIMARY KEY, input_id INTEGER NOT NULL, src_ip TEXT NOT NULL, src_mac TEXT,
    first_ts_ns INTEGER NOT NULL, last_ts_ns INTEGER NOT NULL, bytes_up INTEGER NOT NULL)`);
  return db;
}

/** Modes by time: flows before `split` are 'normal', the rest 'incognito'. */
function splitModes(split: number): ModeResolver {
  return {
    labelled: true,
    unmatched: [],
    modeOf: (_input, ts) => (ts < BigInt(split) ? 'normal' : 'incognito'),
    sql: (_inputCol, tsCol) => ({ expr: `(CASE WHEN ${tsCol} < ? THEN 'normal' ELSE 'incognito' END)`, params: [split] }),
  };
}

/** The rule as one SQL query (how the analysis used to ask): most flows first, first usable MAC per (input, address). */
function bySql(db: Database.Database): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of db.prepare(`SELECT input_id, src_ip, src_mac, count(*) AS n FROM flows WHERE src_mac IS NOT NULL
    GROUP BY input_id, src_ip, src_mac ORDER BY n DESC`).all() as Array<{ input_id: number; src_ip: string; src_mac: string }>) {
    const k = `${r.input_id}|${r.src_ip}`;
    const mac = usableMac(r.src_mac);
    if (mac !== null && !out.has(k)) out.set(k, mac);
  }
  return out;
}

/** Small deterministic generator (xorshift), so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

describe('macByInputIp', () => {
  it('picks the MAC with most flows per input and address, over all modes', () => {
    const db = flowsDb();
    const ins = db.prepare('INSERT INTO flows (input_id, src_ip, src_mac, first_ts_ns, last_ts_ns, bytes_up) VALUES (?, ?, ?, ?, ?, 0)');
    // 10.0.0.1: aa in 3 flows (2 before the split, 1 after), bb in 2 flows after it.
    for (const [mac, ts] of [['aa:00:00:00:00:01', 1], ['aa:00:00:00:00:01', 2], ['aa:00:00:00:00:01', 30], ['bb:00:00:00:00:02', 31], ['bb:00:00:00:00:02', 32]] as const) {
      ins.run(1, '10.0.0.1', mac, ts, ts);
    }
    // 10.0.0.2: the most frequent MAC is broadcast (not usable); the usable one wins.
    for (let i = 0; i < 3; i++) ins.run(1, '10.0.0.2', 'ff:ff:ff:ff:ff:ff', i, i);
    ins.run(1, '10.0.0.2', 'cc:00:00:00:00:03', 5, 5);
    // 10.0.0.3: only flows without a MAC.
    ins.run(1, '10.0.0.3', null, 5, 5);
    const got = macByInputIp(clientFlowGroups(db, splitModes(10)));
    expect(Object.fromEntries(got)).toEqual({ '1|10.0.0.1': 'aa:00:00:00:00:01', '1|10.0.0.2': 'cc:00:00:00:00:03' });
  });

  it('agrees with the single-query rule on random flows full of ties', () => {
    const next = rng(20240611);
    const macs = ['02:00:00:00:00:0a', '02:00:00:00:00:0B', '02:00:00:00:00:0b', '00:00:00:00:00:00', '03:00:00:00:00:01', '0a:1b:2c:3d:4e:5f', null];
    for (let round = 0; round < 40; round++) {
      const db = flowsDb();
      const ins = db.prepare('INSERT INTO flows (input_id, src_ip, src_mac, first_ts_ns, last_ts_ns, bytes_up) VALUES (?, ?, ?, ?, ?, 0)');
      const n = 1 + Math.floor(next() * 60);
      for (let i = 0; i < n; i++) {
        const ts = Math.floor(next() * 100);
        ins.run(1 + Math.floor(next() * 2), `10.0.0.${Math.floor(next() * 3)}`, macs[Math.floor(next() * macs.length)], ts, ts + 1);
      }
      expect(macByInputIp(clientFlowGroups(db, splitModes(50)))).toEqual(bySql(db));
      db.close();
    }
  });
});
