/**
 * CaseEngine queries on a case filled by importing corpus captures for real, checked
 * against tshark's truth sidecars and against hashes and sizes computed here.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../shared/api.ts';
import type { ApiEventPayload } from '../../../shared/api.ts';
import type { DnsRow, FlowRow, HttpRow, TlsRow } from '../../../shared/model.ts';
import { CaseEngine } from '../../../electron/engine/api/case-engine.ts';
import { CORPUS, corpusCase, isoFromEpochText, lastProgress, truth } from './corpus-case.ts';
import type { CorpusCase } from './corpus-case.ts';

const TLS = 'zeek__tls12-chrome-34-google.pcap';
const PIPELINED = 'zeek__http-pipelined-requests.pcap';
const DNS = 'zeek__pcapng-multi-interface.pcapng';
const NANO = 'pcapplusplus__nanosecs_big_endian.pcap';
const HAR = 'mitmproxy__firefox.har';
const BROKEN = 'mitmproxy__brokenfile.har';
const CAPTURES = [TLS, PIPELINED, DNS, NANO];

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(join(CORPUS, file))).digest('hex');
}

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<ApiFailure> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof ApiFailure) return e;
    throw e;
  }
  throw new Error('expected an ApiFailure');
}

let c: CorpusCase;
beforeAll(async () => {
  c = await corpusCase([...CAPTURES, HAR, BROKEN]);
});
afterAll(async () => {
  await c?.cleanup();
});

describe('case.info', () => {
  it('describes each capture as tshark does: format, size, SHA-256, packets, time span at its precision', () => {
    const info = c.engine.caseInfo();
    for (const file of CAPTURES) {
      const t = truth(file);
      const input = info.inputs.find((i) => i.fileName === file);
      expect(input, file).toBeDefined();
      if (input === undefined) continue;
      expect(input.status).toBe('done');
      expect(input.format).toBe(file.endsWith('.pcapng') ? 'pcapng' : 'pcap');
      expect(input.size).toBe(t.size_bytes);
      expect(input.sha256).toBe(sha256(file));
      expect(input.packets).toBe(t.packet_count);
      // capinfos says "microseconds (6)", or "per-packet (-1)" for a pcapng whose
      // interfaces differ: those carry nanoseconds here, as the truth's epochs show.
      const stated = Number(/\((-?\d+)\)/.exec(t.capinfos['File timestamp precision'] ?? '')?.[1] ?? 'NaN');
      const digits = stated >= 0 ? stated : 9;
      expect(input.tsDigits).toBe(digits);
      expect(input.span?.from).toBe(isoFromEpochText(t.min_timestamp_epoch, digits));
      expect(input.span?.to).toBe(isoFromEpochText(t.max_timestamp_epoch, digits));
      expect(input.span?.fromMs).toBeCloseTo(Number(t.min_timestamp_epoch) * 1000, 0);
    }
  });

  it('marks a file that is not a capture as failed, in plain words, and keeps the others', () => {
    const broken = c.engine.caseInfo().inputs.find((i) => i.fileName === BROKEN);
    expect(broken?.status).toBe('failed');
    expect(broken?.error).toMatch(/HAR/);
    const har = c.engine.caseInfo().inputs.find((i) => i.fileName === HAR);
    expect(har?.status).toBe('done');
    expect(har?.tsDigits).toBe(3);
  });

  it('counts what the truth files count', () => {
    const counts = c.engine.caseInfo().counts;
    const sum = (f: (t: ReturnType<typeof truth>) => number): number => CAPTURES.reduce((a, file) => a + f(truth(file)), 0);
    expect(counts.packets).toBe(sum((t) => t.packet_count));
    expect(counts.tls).toBe(sum((t) => t.tls_clienthello_count));
    expect(counts.dns).toBe(sum((t) => t.dns_message_count));
    const harEntries = c.engine.caseInfo().inputs.find((i) => i.fileName === HAR)?.harEntries ?? -1;
    expect(counts.http).toBe(sum((t) => t.http_request_count) + harEntries);
  });
});

describe('import progress', () => {
  it('ends with one event per import whose files carry their outcome', () => {
    const last = lastProgress(c.events);
    expect(last?.state).toBe('done');
    expect(last?.fileCount).toBe(CAPTURES.length + 2);
    const states = new Map(last?.files.map((f) => [f.name, f]));
    for (const file of [...CAPTURES, HAR]) expect(states.get(file)?.state, file).toBe('done');
    expect(states.get(BROKEN)?.state).toBe('failed');
    expect(states.get(BROKEN)?.error).toMatch(/HAR/);
    expect(states.get(TLS)?.packets).toBe(truth(TLS).packet_count);
    expect(states.get(TLS)?.bytesRead).toBe(truth(TLS).size_bytes);
    expect(last?.bytesTotal).toBe(last?.files.reduce((a, f) => a + f.bytesTotal, 0));
  });

  it('reports each file as running before it is done, with its input id', () => {
    const progress = c.events.filter((e) => e.event === 'import.progress').map((e) => e.payload as ApiEventPayload<'import.progress'>);
    const inputId = c.inputOf.get(PIPELINED);
    const running = progress.find((p) => p.files[1]?.state === 'running');
    expect(running?.state).toBe('running');
    expect(running?.files[1]?.inputId).toBe(inputId);
    expect(progress[0]?.state).toBe('queued');
  });

  it('tells views that the case changed once the import is over', () => {
    expect(c.events.filter((e) => e.event === 'case.changed').map((e) => (e.payload as { reason: string }).reason)).toEqual(['created', 'imported']);
  });
});

describe('evidence.query', () => {
  it('lists the HTTP requests of a capture as tshark sees them, with evidence pointers', () => {
    const t = truth(PIPELINED);
    const page = c.engine.queryEvidence({ kind: 'http', input: c.inputOf.get(PIPELINED) });
    expect(page.total).toBe(t.http_request_count);
    const rows = page.rows as HttpRow[];
    expect(rows.map((r) => ({ frame: r.frame, method: r.method, host: r.host, uri: r.uri, version: r.version }))).toEqual(t.http_requests);
    for (const r of rows) {
      expect(r.input).toBe(c.inputOf.get(PIPELINED));
      expect(r.ts).toMatch(/^2009-11-18T20:58:\d\d\.\d{6}Z$/);
      expect(Date.parse(r.ts)).toBe(Math.floor(r.tsMs));
    }
  });

  it('pages and sorts on the server, breaking ties by row id', () => {
    const all = c.engine.queryEvidence({ kind: 'http', limit: 5000 }).rows.map((r) => r.id);
    const pages: number[] = [];
    for (let offset = 0; offset < all.length; offset += 7) {
      pages.push(...c.engine.queryEvidence({ kind: 'http', offset, limit: 7 }).rows.map((r) => r.id));
    }
    expect(pages).toEqual(all);
    const desc = c.engine.queryEvidence({ kind: 'http', limit: 5000, sort: { by: 'ts', dir: 'desc' } }).rows.map((r) => r.id);
    expect(desc).toEqual([...all].reverse());
    const bySize = c.engine.queryEvidence({ kind: 'http', limit: 5000, sort: { by: 'size', dir: 'desc' } }).rows as HttpRow[];
    const sizes = bySize.map((r) => r.requestBodyLen + r.responseBodyLen);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });

  it('searches text case-insensitively and filters by host or parent domain', () => {
    const t = truth(PIPELINED);
    const urchin = c.engine.queryEvidence({ kind: 'http', text: 'URCHIN' });
    expect(urchin.rows.map((r) => (r as HttpRow).uri)).toEqual(t.http_requests.filter((r) => r.uri.includes('urchin')).map((r) => r.uri));
    expect(c.engine.queryEvidence({ kind: 'http', host: 'mozilla.org' }).total).toBe(t.http_requests.filter((r) => r.host.endsWith('.mozilla.org')).length);
    const tls = c.engine.queryEvidence({ kind: 'tls', host: 'google.de' });
    expect(tls.rows.map((r) => (r as TlsRow).sni)).toEqual(truth(TLS).tls_sni);
    expect(c.engine.queryEvidence({ kind: 'tls', host: 'oogle.de' }).total).toBe(0);
    expect(c.engine.queryEvidence({ kind: 'http', text: '100%_' }).total).toBe(0);
  });

  it('restricts to a time range, from inclusive and to exclusive, in ms or ISO', () => {
    const rows = c.engine.queryEvidence({ kind: 'http', input: c.inputOf.get(PIPELINED) }).rows as HttpRow[];
    const third = rows[2];
    const fromIso = c.engine.queryEvidence({ kind: 'http', input: c.inputOf.get(PIPELINED), from: third.ts });
    expect(fromIso.rows.map((r) => r.id)).toEqual(rows.filter((r) => r.tsMs >= third.tsMs).map((r) => r.id));
    const toMs = c.engine.queryEvidence({ kind: 'http', input: c.inputOf.get(PIPELINED), to: third.tsMs });
    expect(toMs.rows.map((r) => r.id)).toEqual(rows.filter((r) => r.tsMs < third.tsMs).map((r) => r.id));
  });

  it('lists DNS messages with their names and direction', () => {
    const t = truth(DNS);
    const page = c.engine.queryEvidence({ kind: 'dns', input: c.inputOf.get(DNS) });
    expect(page.total).toBe(t.dns_message_count);
    const rows = page.rows as DnsRow[];
    expect([...new Set(rows.map((r) => r.qname))].sort()).toEqual([...t.dns_query_names].sort());
    expect(rows.map((r) => [r.frame, r.response])).toEqual(t.dns_messages.map((m) => [m.frame, m.response]));
  });

  it('lists flows with the names known for their server', () => {
    const flows = c.engine.queryEvidence({ kind: 'flow', input: c.inputOf.get(TLS) }).rows as FlowRow[];
    expect(flows).toHaveLength(1);
    expect(flows[0]?.names).toContain('google.de');
    expect(flows[0]?.packetsUp + flows[0]?.packetsDown).toBe(truth(TLS).packet_count);
  });
});

describe('evidence.get', () => {
  it('gives an HTTP exchange with headers, request head and the file and frame it came from', () => {
    const t = truth(PIPELINED).http_requests[1];
    const row = (c.engine.queryEvidence({ kind: 'http', input: c.inputOf.get(PIPELINED) }).rows as HttpRow[])[1];
    const detail = c.engine.evidence('http', row.id);
    expect(detail.row).toEqual(row);
    expect(detail.source).toMatchObject({ fileName: PIPELINED, sha256: sha256(PIPELINED), format: 'pcap', frame: t.frame, ts: row.ts });
    expect(detail.http?.requestHeaders.find(([n]) => n.toLowerCase() === 'host')?.[1]).toBe(t.host);
    expect(detail.http?.rawRequestHead.startsWith(`${t.method} ${t.uri} ${t.version}\r\n`)).toBe(true);
    // The response came gzip-compressed: the case keeps it as sent, the preview decodes it.
    const body = detail.http?.responseBody;
    expect(body?.contentEncoding).toBe('gzip');
    expect(body?.wireSize).toBe(row.responseBodyLen);
    expect(body?.size).toBeGreaterThan(row.responseBodyLen);
    expect(body?.decodeError).toBeNull();
    expect(body?.text?.length).toBeGreaterThan(0);
    expect(detail.related.some((r) => r.kind === 'flow')).toBe(true);
  });

  it('previews a JavaScript response as text and caps the hex preview', () => {
    const row = (c.engine.queryEvidence({ kind: 'http', text: 'urchin.js' }).rows as HttpRow[])[0];
    const body = c.engine.evidence('http', row.id).http?.responseBody;
    expect(body?.text).toContain('function');
    expect(body?.hex.length).toBe(Math.min(row.responseBodyLen, 4096) * 2);
  });

  it('lists the records of a flow', () => {
    const flow = (c.engine.queryEvidence({ kind: 'flow', input: c.inputOf.get(PIPELINED) }).rows as FlowRow[]).find((f) => f.dstPort === 80);
    expect(flow).toBeDefined();
    const related = c.engine.evidence('flow', flow?.id ?? 0).related;
    expect(related.filter((r) => r.kind === 'http').map((r) => r.label)).toEqual(
      truth(PIPELINED).http_requests.map((r) => `${r.method} ${r.host}${r.uri}`),
    );
  });

  it('says not-found for a row that does not exist', async () => {
    expect((await rejection(() => c.engine.evidence('tls', 999_999))).code).toBe('not-found');
  });
});

describe('timeline.get', () => {
  it('buckets every record once, by kind', () => {
    const tl = c.engine.timeline({ buckets: 50 });
    const counts = c.engine.caseInfo().counts;
    const sum = (k: 'dns' | 'tls' | 'http' | 'flows'): number => tl.buckets.reduce((a, b) => a + b[k], 0);
    expect(sum('dns')).toBe(counts.dns);
    expect(sum('tls')).toBe(counts.tls);
    expect(sum('http')).toBe(counts.http);
    expect(sum('flows')).toBe(counts.flows);
    expect(tl.buckets.length).toBeLessThanOrEqual(50);
    expect(tl.span?.from).toBe(c.engine.caseInfo().span?.from);
  });

  it('zooms into one capture with a fixed bucket width and keeps lane counts consistent', () => {
    const input = c.inputOf.get(PIPELINED);
    const tl = c.engine.timeline({ input, bucketMs: 1000 });
    expect(tl.bucketMs).toBe(1000);
    const http = tl.buckets.reduce((a, b) => a + b.http, 0);
    expect(http).toBe(truth(PIPELINED).http_request_count);
    const mozilla = tl.destinations.find((l) => l.key === 'www.mozilla.org');
    expect(mozilla).toBeDefined();
    expect(mozilla?.counts.reduce((a, b) => a + b, 0)).toBe(mozilla?.total);
    expect(mozilla?.events.filter((e) => e.kind === 'http')).toHaveLength(http);
    for (const lane of [...tl.devices, ...tl.destinations]) {
      expect(lane.counts).toHaveLength(tl.buckets.length);
      expect(lane.counts.reduce((a, b) => a + b, 0)).toBe(lane.total);
    }
    const client = tl.devices[0];
    expect(client?.detail).toMatch(/[0-9a-f]{2}(:[0-9a-f]{2}){5}/);
  });

  it('caps events per lane and spreads them over the range', () => {
    const tl = c.engine.timeline({ input: c.inputOf.get(PIPELINED), buckets: 200, maxEventsPerLane: 3, maxLanes: 1 });
    expect(tl.devices).toHaveLength(1);
    expect(tl.destinations).toHaveLength(1);
    for (const lane of [...tl.devices, ...tl.destinations]) {
      expect(lane.events.length).toBeLessThanOrEqual(3);
      const times = lane.events.map((e) => e.tsMs);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    expect(tl.destinationLanes).toBeGreaterThanOrEqual(1);
  });

  it('refuses a range that ends before it starts', async () => {
    expect((await rejection(() => c.engine.timeline({ from: 2000, to: 1000 }))).code).toBe('invalid-params');
  });
});

describe('overview.get, hosts.list, anomalies.list', () => {
  it('names the top destinations with what was sent to them', () => {
    const ov = c.engine.overview(20);
    const google = ov.topDestinations.find((d) => d.name === 'google.de');
    expect(google?.tls).toBe(truth(TLS).tls_clienthello_count);
    const mozilla = ov.topDestinations.find((d) => d.name === 'www.mozilla.org');
    expect(mozilla?.http).toBe(truth(PIPELINED).http_request_count);
    expect(mozilla?.bytesDown).toBeGreaterThan(0);
    expect(ov.counts).toEqual(c.engine.caseInfo().counts);
    expect(ov.protocols.find((p) => p.app === 'tls')?.flows).toBe(truth(TLS).tcp_conversations);
    expect(c.engine.caseInfo().features.findings).toBe(true);
    expect(ov.countries?.length).toBeGreaterThan(0);
  });

  it('lists remote addresses with their names, searchable by name', () => {
    const page = c.engine.hosts({ search: 'google.de' });
    expect(page.total).toBe(1);
    expect(page.rows[0]?.names).toContain('google.de');
    expect(page.rows[0]?.packets).toBe(truth(TLS).packet_count);
    const byIp = c.engine.hosts({ sort: 'ip', limit: 5000 }).rows.map((r) => r.ip);
    expect(byIp).toEqual([...byIp].sort());
  });

  it('pages anomalies with the same total as the case counts', () => {
    expect(c.engine.anomalies({}).total).toBe(c.engine.caseInfo().counts.anomalies);
  });
});

describe('without a case, and around the edges', () => {
  it('answers no-case until a case is open, and never overwrites a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-api-'));
    const engine = new CaseEngine({ emit: () => {}, casesDir: dir, recentFile: join(dir, 'recent.json') });
    try {
      expect((await rejection(() => engine.caseInfo())).code).toBe('no-case');
      expect((await rejection(engine.api()['evidence.query']({ kind: 'http' }))).code).toBe('no-case');
      const other = join(dir, 'notes.txt');
      writeFileSync(other, 'not a case');
      expect((await rejection(() => engine.createCase(other))).message).toMatch(/already exists/);
      expect((await rejection(() => engine.openCase(other))).message).toMatch(/not a Telltale case/);
      expect(readFileSync(other, 'utf8')).toBe('not a case');
      const created = engine.createCase(join(dir, 'a', 'mine.db'), 'Phone 1');
      expect(created.title).toBe('Phone 1');
      expect(engine.filesDir()).toBe(join(dir, 'a', 'mine.files'));
      await engine.close();
      const again = new CaseEngine({ emit: () => {}, casesDir: dir, recentFile: join(dir, 'recent.json') });
      expect(again.recentCases()).toMatchObject([{ path: join(dir, 'a', 'mine.db'), title: 'Phone 1', exists: true }]);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cancels a queued import before it starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-api-'));
    const events: Array<ApiEventPayload<'import.progress'>> = [];
    const engine = new CaseEngine({
      emit: (event, payload) => {
        if (event === 'import.progress') events.push(payload as ApiEventPayload<'import.progress'>);
      },
      casesDir: dir,
    });
    try {
      engine.createCase(null);
      const first = engine.startImport([{ path: join(CORPUS, TLS) }]);
      const second = engine.startImport([{ path: join(CORPUS, PIPELINED) }]);
      expect(engine.cancelImport(second)).toBe(true);
      expect(engine.cancelImport(second)).toBe(false);
      await engine.importsIdle();
      const jobs = new Map(engine.listImports().map((j) => [j.importId, j]));
      expect(jobs.get(first)?.state).toBe('done');
      expect(jobs.get(second)?.state).toBe('cancelled');
      expect(jobs.get(second)?.files.map((f) => f.state)).toEqual(['skipped']);
      expect(engine.caseInfo().inputs.map((i) => i.fileName)).toEqual([TLS]);
      expect(events.filter((e) => e.importId === second).map((e) => e.state)).toEqual(['queued', 'cancelled']);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
