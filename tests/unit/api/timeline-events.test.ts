/**
 * The timeline's event index on hand-built records: exact buckets at nanosecond
 * boundaries for timestamps past 2^53 and before 1970, which event a bucket shows when
 * several share an instant, the stored (packed) index read back as it was built, and the
 * page-by-page merge that builds it checked against a plain sort of every record, with
 * pages and chunks small enough that every table is read over many pages and the chunks
 * are joined.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TimelineQuery } from '../../../shared/model.ts';
import { CaseReader } from '../../../electron/engine/api/case-reader.ts';
import { buildTimeline } from '../../../electron/engine/api/timeline.ts';
import { CaseStore } from '../../../electron/engine/store/case-store.ts';
import { collectTimelineEvents, readTimelineIndex, scanTimelineEvents } from '../../../electron/engine/store/timeline-index.ts';
import type { TimelineIndex } from '../../../electron/engine/store/timeline-index.ts';
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

/** The events as `time kind id input device destination bytes` lines. */
function eventLines(ix: TimelineIndex, keys = ix.keys): string[] {
  const lines: string[] = [];
  for (let i = 0; i < ix.size; i++) {
    lines.push(`${(BigInt(ix.hi[i]) << 30n) + BigInt(ix.lo[i])} ${ix.kind[i]} ${ix.id[i]} ${ix.input[i]} ${keys[ix.dev[i]]} ${keys[ix.dest[i]]} ${ix.bytes[i]}`);
  }
  return lines;
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

  it('merges the tables page by page into the order a plain sort of every record gives, in chunks of the asked size', () => {
    // 9,000 flows and 9,000 DNS messages (more than two pages of each table), most of them
    // sharing one of 40 instants with rows of the other table, inserted out of time order.
    const times = (i: number): bigint => BIG + BigInt(((i * 7919) % 40) * 1000);
    const { store } = caseWith((s) => {
      const dns = s.db.prepare(`INSERT INTO dns (id, input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, transport, flavor, txid,
        response, opcode, qname, qtype) VALUES (?, ?, 1, ?, ?, 5353, '10.0.0.1', 53, 'udp', 'dns', 7, 0, 0, ?, 1)`);
      s.db.transaction(() => {
        for (let i = 1; i <= 9000; i++) {
          flow(s, i, 1 + (i % 2), times(i), `10.0.${i % 3}.2`, `192.0.2.${i % 7}`);
          dns.run(i, 1 + (i % 2), times(i * 3), `10.0.${i % 3}.2`, `N${i % 11}.test.`);
        }
      })();
    });
    // The reference: every event read at once and sorted by (time, kind, id); flow = 3, DNS = 0.
    const rows = store.db.prepare(`SELECT first_ts_ns, 3, id, input_id, src_ip, dst_ip, bytes_up + bytes_down FROM flows
      UNION ALL SELECT ts_ns, 0, id, input_id, src_ip, rtrim(lower(qname), '.'), 0 FROM dns`).safeIntegers().raw().all() as
      Array<[bigint, bigint, bigint, bigint, string, string, bigint]>;
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : Number(a[1] - b[1]) || Number(a[2] - b[2])));
    const expected = rows.map((r) => r.join(' '));
    const seen: string[] = [];
    const sizes: number[] = [];
    const keys = scanTimelineEvents(store.db, { leaks: false }, 5000, (c: TimelineIndex) => {
      sizes.push(c.size);
      for (let i = 0; i < c.size; i++) {
        seen.push(`${(BigInt(c.hi[i]) << 30n) + BigInt(c.lo[i])} ${c.kind[i]} ${c.id[i]} ${c.input[i]} ${c.dev[i]} ${c.dest[i]} ${c.bytes[i]}`);
      }
    });
    expect(sizes).toEqual([5000, 5000, 5000, 3000]);
    expect(seen.map((line) => {
      const f = line.split(' ');
      return [f[0], f[1], f[2], f[3], keys[Number(f[4])], keys[Number(f[5])], f[6]].join(' ');
    })).toEqual(expected);
    // The whole-index form holds the same events, joined from four chunks as from one, and so
    // does the stored index written as four chunks (compared as lines: vitest takes minutes
    // to print a failed comparison of 18,000-event columns).
    expect(eventLines(collectTimelineEvents(store.db, { leaks: false }))).toEqual(expected);
    expect(eventLines(collectTimelineEvents(store.db, { leaks: false }, 5000))).toEqual(expected);
    writeViewSummaries(store.db, 5000);
    expect(store.db.prepare('SELECT events FROM timeline_chunks ORDER BY id').pluck().all()).toEqual([5000, 5000, 5000, 3000]);
    expect(eventLines(readTimelineIndex(store.db) as TimelineIndex)).toEqual(expected);
    store.close();
  });

  it('reads every table over many pages and joins the chunks into the events a plain sort gives', () => {
    // 45 rows in each of flows, DNS, TLS and HTTP and 30 leaks over 23 instants, inserted out
    // of time order: in pages of 4 rows every table is read over 8 pages or more, most of
    // them ending between rows of one instant, and 210 events make 14 chunks of 16.
    const at = (i: number): bigint => BIG + BigInt(((i * 7919) % 23) * 1000);
    /** [time, kind, id, input, device, destination, bytes], what each row should become. */
    const want: Array<[bigint, number, number, number, string, string, number]> = [];
    // Flows are named after their server's best name: SNI, then Host, then DNS, then any other source, most seen first.
    const named: Record<string, string> = { '192.0.2.1': 'sni1.test', '192.0.2.2': 'b2.test', '192.0.2.3': 'm3.local' };
    const { store } = caseWith((s) => {
      const host = s.db.prepare('INSERT INTO hosts (ip, name, source, first_ts_ns, count) VALUES (?, ?, ?, 0, ?)');
      for (const [ip, name, source, count] of [['192.0.2.1', 'd1.test', 'dns', 50], ['192.0.2.1', 'h1.test', 'http', 9],
        ['192.0.2.1', 'sni1.test', 'sni', 1], ['192.0.2.2', 'a2.test', 'dns', 1], ['192.0.2.2', 'b2.test', 'dns', 3],
        ['192.0.2.3', 'm3.local', 'mdns', 9]] as const) host.run(ip, name, source, count);
      const dns = s.db.prepare(`INSERT INTO dns (id, input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, transport, flavor, txid,
        response, opcode, qname, qtype) VALUES (?, ?, 1, ?, ?, 53, ?, 53, 'udp', 'dns', 7, ?, 0, ?, 1)`);
      const tls = s.db.prepare(`INSERT INTO tls (id, input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, transport, sni, legacy_version)
        VALUES (?, ?, 1, ?, ?, 40000, ?, 443, 'tcp', ?, 771)`);
      const http = s.db.prepare(`INSERT INTO http (id, input_id, frame, ts_ns, src_ip, src_port, dst_ip, dst_port, source, method, host, uri,
        version, request_body_size, response_body_size) VALUES (?, ?, 1, ?, ?, 40000, ?, 80, ?, 'GET', ?, '/', 'HTTP/1.1', ?, ?)`);
      const leak = s.db.prepare(`INSERT INTO leaks (id, ts_ns, kind, value, chain, location, match, http_id, input_id, mode, dest_host, dest_ip)
        VALUES (?, ?, 'url', 'v', 'c', 'query', 'exact', ?, ?, 'm', ?, ?)`);
      s.db.transaction(() => {
        for (let i = 45; i >= 1; i--) {
          const input = 1 + (i % 2);
          const client = `10.0.${i % 3}.2`;
          const server = `192.0.2.${i % 5}`;
          flow(s, i, input, at(i), client, server);
          want.push([at(i), 3, i, input, client, named[server] ?? server, 30]);
          // A response is the client's by its destination address.
          const response = i % 2;
          dns.run(i, input, at(i * 3), response ? '10.0.0.1' : client, response ? client : '10.0.0.1', response, `N${i % 5}.Test.`);
          want.push([at(i * 3), 0, i, input, client, `n${i % 5}.test`, 0]);
          const sni = i % 4 === 0 ? null : `S${i % 3}.Test`;
          tls.run(i, input, at(i * 5), client, server, sni);
          want.push([at(i * 5), 1, i, input, client, sni === null ? server : `s${i % 3}.test`, 0]);
          // HAR entries count their body sizes; the Host header loses its port, an empty or missing one gives the address.
          const har = i % 3 === 0;
          const hostHeader = [`Host${i % 4}.Test:8080`, `host${i % 4}.test`, '', null][i % 4];
          http.run(i, input, at(i * 7), client, server, har ? 'har' : 'tcp', hostHeader, i, 2 * i);
          want.push([at(i * 7), 2, i, input, client, i % 4 < 2 ? `host${i % 4}.test` : server, har ? 3 * i : 0]);
        }
        for (let i = 1; i <= 30; i++) {
          // A leak of request 46 - i: its own time and input, the request's client, the first of its host, its address, the request's server.
          const r = 46 - i;
          const [destHost, destIp] = [['l.test', '198.51.100.1'], [null, '198.51.100.2'], [null, null]][i % 3];
          leak.run(i, at(i * 11), r, 1 + (i % 2), destHost, destIp);
          want.push([at(i * 11), 4, i, 1 + (i % 2), `10.0.${r % 3}.2`, destHost ?? destIp ?? `192.0.2.${r % 5}`, 0]);
        }
      })();
    });
    want.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
    const expected = want.map((w) => w.join(' '));
    expect(new Set(expected.map((e) => e.split(' ').slice(1, 3).join(' '))).size).toBe(210);

    // Scanned in pages of 4 rows and chunks of 16 events.
    const seen: TimelineIndex[] = [];
    const keys = scanTimelineEvents(store.db, { leaks: true, pageRows: 4 }, 16, (c) => {
      seen.push({ ...c, hi: c.hi.slice(0, c.size), lo: c.lo.slice(0, c.size), kind: c.kind.slice(0, c.size), id: c.id.slice(0, c.size),
        input: c.input.slice(0, c.size), dev: c.dev.slice(0, c.size), dest: c.dest.slice(0, c.size), bytes: c.bytes.slice(0, c.size) });
    });
    expect(seen.map((c) => c.size)).toEqual([...Array<number>(13).fill(16), 2]);
    expect(seen.flatMap((c) => eventLines(c, keys))).toEqual(expected);
    // With the default sizes (one page per table, one chunk), the same events.
    const whole = collectTimelineEvents(store.db, { leaks: true });
    expect(eventLines(whole)).toEqual(expected);
    // Joined from 14 chunks (and from 70, read a row at a time), the same index.
    expect(collectTimelineEvents(store.db, { leaks: true, pageRows: 4 }, 16)).toEqual(whole);
    expect(collectTimelineEvents(store.db, { leaks: true, pageRows: 1 }, 3)).toEqual(whole);
    // Stored as 14 chunks, read back as one index.
    writeViewSummaries(store.db, 16);
    expect(store.db.prepare('SELECT count(*) FROM timeline_chunks').pluck().get()).toBe(14);
    expect(readTimelineIndex(store.db)).toEqual(whole);
    // One input in a time range, over pages of 3 rows and chunks of 5 events.
    const from = BIG + 5000n;
    const to = BIG + 17_000n;
    const part = collectTimelineEvents(store.db, { leaks: true, input: 2, from, to, pageRows: 3 }, 5);
    const inPart = want.filter((w) => w[3] === 2 && w[0] >= from && w[0] <= to).map((w) => w.join(' '));
    expect(inPart.length).toBeGreaterThan(30);
    expect(eventLines(part)).toEqual(inPart);
    // Sizes that would lose events are refused.
    expect(() => collectTimelineEvents(store.db, { leaks: true, pageRows: 0 })).toThrow(RangeError);
    expect(() => collectTimelineEvents(store.db, { leaks: true }, 0)).toThrow(RangeError);
    store.close();
  });

  it('sees one state of the records from its first page to its last, even while another connection writes', () => {
    const path = join(tempDir(), 'case.db');
    const store = CaseStore.open(path, { create: true });
    store.db.prepare("INSERT INTO inputs (id, path, file_name, status, added_at) VALUES (1, '/x/a.pcap', 'a.pcap', 'done', '2024-01-01T00:00:00Z')").run();
    store.db.transaction(() => {
      for (let i = 1; i <= 10000; i++) flow(store, i, 1, BIG + BigInt(i));
    })();
    const reader = CaseStore.open(path, { readonly: true });
    let written = false;
    let count = 0;
    scanTimelineEvents(reader.db, { leaks: false, pageRows: 1000 }, 1000, (c) => {
      count += c.size;
      if (!written) {
        // One among the rows still to read (the first page ended at BIG + 1000) and one after
        // them all, committed before the next page is read. (A row earlier than those read
        // would guard nothing: the next page starts after the last row read.)
        flow(store, 20001, 1, BIG + 5000n);
        flow(store, 20002, 1, BIG + 1_000_000n);
        written = true;
      }
    });
    expect(count).toBe(10000);
    expect(collectTimelineEvents(reader.db, { leaks: false }).size).toBe(10002);
    reader.close();
    store.close();
  });
});
