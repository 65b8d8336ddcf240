/**
 * The timeline's event index on hand-built records: exact buckets at nanosecond
 * boundaries for timestamps past 2^53 and before 1970, which event a bucket shows when
 * several share an instant, and the stored (packed) index read back as it was built.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TimelineQuery } from '../../../shared/model.ts';
import { CaseReader } from '../../../electron/engine/api/case-reader.ts';
import { buildTimeline } from '../../../electron/engine/api/timeline.ts';
import { CaseStore } from '../../../electron/engine/store/case-store.ts';
import { collectTimelineEvents, readTimelineIndex } from '../../../electron/engine/store/timeline-index.ts';
import { writeViewSummaries } from '../../../electron/engine/store/view-summaries.ts';
import { tempDir } from '../store/records-fixture.ts';

const BIG = 1_700_000_000_123_456_789n;
const NEGATIVE = -2_000_000_000_123n;

function caseWith(build: (store: CaseStore) => void): { store: CaseStore; reader: CaseReader } {
  const store = CaseStore.open(join(tempDir(), 'case.db'), { create: true });
  const ins = store.db.prepare("INSERT INTO inputs (id, path, file_name, status, added_at) VALUES (?, ?, ?, 'done', '2024-01-01T00:00:00Z')");
  ins.run(1, '/x/a.pcap', 'a.pcap');
  ins.run(2, '/x/b.pcap', 'b.pcap');
  build(store);
  return { store, reader: new CaseReader(store) };
}

function flow(store: CaseStore, id: number, input: number, ts: bigint, src = '10.0.0.2', dst = '192.0.2.1'): void {
  store.db.prepare(`INSERT INTO flows (id, input_id, proto, src_ip, src_port, dst_ip, dst_port, first_frame, first_ts_ns, last_ts_ns,
    packets_up, packets_down, bytes_up, bytes_down) VALUES (?, ?, 'tcp', ?, 40000, ?, 443, 1, ?, ?, 1, 1, 10, 20)`).run(id, input, src, dst, ts, ts);
}

/** The same query answered from the records and from freshly written summaries. */
function bothWays(store: CaseStore, reader: CaseReader, q: TimelineQuery) {
  const fromRecords = buildTimeline(reader, q, null, false);
  writeViewSummaries(store.db);
  reader.noteWrite();
  expect(reader.summariesCurrent()).toBe(true);
  const fromSummaries = buildTimeline(reader, q, null, false);
  expect(fromSummaries).toEqual(fromRecords);
  store.db.prepare('DELETE FROM view_summaries').run();
  reader.noteWrite();
  return fromRecords;
}

describe('timeline events', () => {
  it('puts events on the right side of bucket boundaries, to the nanosecond, past 2^53 and before 1970', () => {
    const offsets = [0n, 999n, 1000n, 2999n, 3000n];
    const { store, reader } = caseWith((s) => {
      offsets.forEach((o, i) => flow(s, 10 + i, 1, BIG + o));
      offsets.forEach((o, i) => flow(s, 20 + i, 2, NEGATIVE + o));
    });
    // 3001 ns in 4 buckets would be 751 ns wide; the floor is 1000 ns, so 4 buckets of 1000.
    for (const input of [1, 2]) {
      const tl = bothWays(store, reader, { input, buckets: 4 });
      expect(tl.bucketMs).toBe(0.001);
      expect(tl.buckets.map((b) => b.flows)).toEqual([2, 1, 1, 1]);
      expect(tl.buckets.map((b) => b.bytes)).toEqual([60, 30, 30, 30]);
    }
    // The whole case spans 54 years: bucketed in BigInt arithmetic, every flow still counted once.
    const whole = bothWays(store, reader, { buckets: 3 });
    expect(whole.buckets.map((b) => b.flows)).toEqual([5, 0, 5]);
    // A range from the microsecond the first flow of input 1 falls in (BIG - 789 ns), 4001 ns wide in
    // 4 buckets of 1001 ns: the flows sit 789, 1788, 1789, 3788 and 3789 ns into it.
    const fromMs = Number(BIG / 1000n) / 1000;
    const zoom = bothWays(store, reader, { from: fromMs, to: fromMs + 0.004, buckets: 4 });
    expect(zoom.bucketMs).toBe(0.001001);
    expect(zoom.buckets.map((b) => b.flows)).toEqual([1, 2, 0, 2]);
    store.close();
  });

  it('shows, for events at one instant, the flow first, then DNS, TLS and HTTP, lowest id first', () => {
    const { store, reader } = caseWith((s) => {
      flow(s, 5, 1, BIG);
      flow(s, 3, 1, BIG);
      s.db.prepare(`INSERT INTO dns (id, input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, transport, flavor, txid, response, opcode, qname, qtype)
        VALUES (1, 1, 1, ?, '10.0.0.2', 5353, '10.0.0.1', 53, 'udp', 'dns', 7, 0, 0, 'A.Test.', 1)`).run(BIG);
      s.db.prepare(`INSERT INTO tls (id, input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, transport, sni, legacy_version)
        VALUES (1, 1, 2, ?, '10.0.0.2', 40001, '192.0.2.9', 443, 'tcp', 'a.test', 771)`).run(BIG);
      s.db.prepare(`INSERT INTO http (id, input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, source, method, host, uri, version)
        VALUES (1, 1, 3, ?, '10.0.0.2', 40002, '192.0.2.9', 80, 'tcp', 'GET', 'a.test:80', '/', 'HTTP/1.1')`).run(BIG);
    });
    // One event per lane: the lane is dense, so it shows the first event of its only bucket.
    const one = bothWays(store, reader, { maxEventsPerLane: 1 });
    expect(one.devices.map((l) => [l.key, l.total, l.events.map((e) => `${e.kind}:${e.id}`)])).toEqual([['10.0.0.2', 5, ['flow:3']]]);
    expect(one.destinations.map((l) => [l.key, l.total, l.events.map((e) => `${e.kind}:${e.id}`)]))
      .toEqual([['a.test', 3, ['dns:1']], ['192.0.2.1', 2, ['flow:3']]]);
    // A sparse lane shows every event, in (time, kind, id) order.
    const all = bothWays(store, reader, { maxEventsPerLane: 10 });
    expect(all.devices[0].events.map((e) => `${e.kind}:${e.id}`)).toEqual(['dns:1', 'tls:1', 'http:1', 'flow:3', 'flow:5']);
    expect(all.devices[0].events[0].ts).toBe('2023-11-14T22:13:20.123456Z');
    store.close();
  });

  it('reads back the stored index it wrote, and falls back to the records when the stored columns do not add up', () => {
    const { store, reader } = caseWith((s) => {
      for (let i = 0; i < 50; i++) flow(s, i + 1, 1 + (i % 2), BIG + BigInt(i * 7919), `10.0.0.${i % 3}`, `192.0.2.${i % 5}`);
    });
    const built = collectTimelineEvents(store.db, { leaks: false });
    writeViewSummaries(store.db);
    expect(readTimelineIndex(store.db)).toEqual(built);
    const expected = buildTimeline(reader, { buckets: 7 }, null, false);
    store.db.prepare('UPDATE timeline_chunks SET data = substr(data, 1, 40)').run();
    expect(readTimelineIndex(store.db)).toBeNull();
    reader.noteWrite();
    expect(reader.summariesCurrent()).toBe(true);
    expect(buildTimeline(reader, { buckets: 7 }, null, false)).toEqual(expected);
    store.close();
  });
});
