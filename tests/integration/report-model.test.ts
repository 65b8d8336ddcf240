/**
 * The report model without printing: built from cases the CLI analysed (the findings
 * scenario, a corpus capture, an empty case), it is deterministic, ranks and groups
 * findings so that each summary sentence cites a contiguous run of findings, points
 * every finding at its frame, and shows each value inside the decoded object it was
 * sent in. The decoded context is also checked on a payload built here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iterLeaks } from '../../electron/engine/findings/queries.ts';
import { jsonPathSegments, leakContext } from '../../electron/engine/report/context.ts';
import { buildManifest } from '../../electron/engine/report/manifest.ts';
import { buildReportModel, type ReportModel, type ReportOptions } from '../../electron/engine/report/model.ts';
import { readReportSource } from '../../electron/engine/report/source.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';
import { ANALYTICS, IDS, PHONE, writePhoneScenario } from '../../tools/synth/scenario-phone.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/telltale.js');
const CORPUS = join(ROOT, 'tests/fixtures/corpus');
const MODES = ['--mode', 'incognito:phone-incognito.pcapng', '--mode', 'normal:phone-normal.pcapng'];

let work = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'telltale-report-model-'));
  writePhoneScenario(work);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function analyse(name: string, inputs: string[], extra: string[] = []): string {
  const casePath = join(work, `${name}.db`);
  const r = spawnSync(process.execPath, [BIN, 'analyze', ...inputs, ...extra, '--case', casePath, '--quiet'], { cwd: work, encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return casePath;
}

function modelOf(casePath: string, opts: ReportOptions = {}): ReportModel {
  const store = CaseStore.open(casePath, { readonly: true });
  try {
    return buildReportModel(readReportSource(store), opts);
  } finally {
    store.close();
  }
}

const SEVERITY = { high: 0, medium: 1, low: 2 } as const;

describe('report model', () => {
  it('is the same for the same inputs and labels, whatever the case file and the clock', () => {
    const a = analyse('one', ['phone-incognito.pcapng', 'phone-normal.pcapng'], MODES);
    const b = analyse('two', ['phone-incognito.pcapng', 'phone-normal.pcapng'], MODES);
    const opts: ReportOptions = { title: 'T', investigator: 'I', organisation: 'O', homeCountry: 'de' };
    const ma = modelOf(a, { ...opts, now: new Date('2030-01-01T00:00:00Z') });
    const mb = modelOf(b, { ...opts, now: new Date('2031-06-01T12:00:00Z') });
    expect(ma.generatedAt).toBe('2030-01-01T00:00:00.000Z');
    expect({ ...mb, generatedAt: ma.generatedAt }).toEqual(ma);
    expect(JSON.stringify({ ...mb, generatedAt: '' })).toBe(JSON.stringify({ ...ma, generatedAt: '' }));
    expect(buildManifest(mb, 'p').bytes.equals(buildManifest(ma, 'p').bytes)).toBe(true);
  }, 120_000);

  it('ranks the scenario: search terms and page addresses first, identifiers next, contiguous ids per summary sentence', () => {
    const casePath = join(work, 'one.db');
    const m = modelOf(casePath, { homeCountry: 'DE' });
    const store = CaseStore.open(casePath, { readonly: true });
    const leaks = [...iterLeaks(store.db)];
    store.close();
    expect(m.hasFindings).toBe(true);
    expect(m.findings).toHaveLength(leaks.length);
    expect(m.findings.map((f) => f.id)).toEqual(m.findings.map((_, i) => `F-${String(i + 1).padStart(3, '0')}`));
    // Most serious first, and the browsing content before the identifiers.
    const ranks = m.findings.map((f) => SEVERITY[f.severity]);
    expect([...ranks].sort((x, y) => x - y)).toEqual(ranks);
    const firstIdentifier = m.findings.findIndex((f) => f.kind === 'identifier');
    expect(m.findings.slice(0, firstIdentifier).every((f) => f.kind !== 'identifier')).toBe(true);
    expect(m.findings[0].kind).toBe('search');
    // Singapore is abroad for a German investigation: page addresses and search terms sent there are high.
    for (const f of m.findings) {
      expect(f.destination).toMatchObject({ host: ANALYTICS.host, ip: ANALYTICS.ip, country: 'SG', countryName: 'Singapore' });
      expect(f.abroad).toBe(true);
      expect(f.thirdParty).toBe(true);
      if (f.kind !== 'identifier') expect(f.severity).toBe('high');
      expect(f.pointer.frame).toBeGreaterThan(0);
      expect(f.pointer.input).toBe(f.mode === 'incognito' ? 'phone-incognito.pcapng' : 'phone-normal.pcapng');
    }
    // Each summary sentence stands for a run of consecutive findings.
    let next = 0;
    for (const item of m.summary.items) {
      expect(item.findings).toEqual(m.findings.slice(next, next + item.findings.length).map((f) => f.id));
      next += item.findings.length;
    }
    expect(next).toBe(m.findings.length);
    expect(m.summary.items[0].text).toContain('search term "');
    // Both modes leaked the same identifiers: the comparison says so.
    expect(m.comparison?.sharedIdentifiers.map((s) => s.value).sort()).toEqual(Object.values(IDS).map((v) => v.toLowerCase()).sort());
    expect(m.summary.comparison.join(' ')).toContain('incognito mode did not separate');
    // Every finding's value sits, highlighted, in the decoded event it was sent in.
    for (const f of m.findings) {
      expect(f.excerpt).not.toBeNull();
      expect(f.match).not.toBeNull();
      const { start, end } = f.match as { start: number; end: number };
      expect((f.excerpt as string).slice(start, end).toLowerCase()).toBe(f.value.toLowerCase());
      expect(f.excerpt).toMatch(/^\$\[\d+\]\.properties:\n/);
    }
    expect(m.methodology.devices.map((d) => d.macs)).toContainEqual([PHONE.mac]);
    expect(m.inputs.map((i) => i.mode)).toEqual(['incognito', 'normal']);
    expect(m.timeline?.segments).toHaveLength(2);
  });

  it('describes a corpus capture and an empty case without inventing anything', () => {
    const corpus = analyse('corpus', [join(CORPUS, 'pcapplusplus__example.pcap')]);
    const m = modelOf(corpus);
    expect(m.inputs).toHaveLength(1);
    expect(m.comparison).toBeNull();
    expect(m.findings.every((f) => f.mode === null && f.abroad === null)).toBe(true);
    expect(m.map.countries.length).toBeGreaterThan(0);
    expect(m.timeline?.segments).toHaveLength(1);

    const empty = join(work, 'empty.db');
    CaseStore.open(empty, { create: true, title: 'Nothing here' }).close();
    const e = modelOf(empty);
    expect(e).toMatchObject({ hasFindings: false, findings: [], timeline: null, comparison: null, inputs: [] });
    expect(e.cover.title).toBe('Nothing here');
    expect(e.summary.lead).toContain('not been analysed');
  }, 120_000);

  it('masks what devices not under investigation sent, and says how much', () => {
    const mixed = analyse('mixed', ['phone-incognito.pcapng', 'phone-normal.pcapng', join(CORPUS, 'pcapplusplus__example.pcap')], MODES);
    const open = modelOf(mixed);
    const m = modelOf(mixed, { redactDevices: [PHONE.mac.toUpperCase()] });
    const phoneFindings = open.findings.filter((f) => f.pointer.input.startsWith('phone-')).length;
    expect(m.redaction).toMatchObject({ devices: [PHONE.mac], maskedFindings: open.findings.length - phoneFindings });
    for (const f of m.findings) {
      const mine = f.pointer.input.startsWith('phone-');
      expect(f.redacted).toBe(!mine);
      if (!mine) expect(f).toMatchObject({ excerpt: null, match: null, destination: { ip: null, country: null } });
    }
    const masked = new Set(m.findings.filter((f) => f.redacted).map((f) => f.value));
    expect(masked.size).toBe(1);
    expect(m.appendix.destinations.some((d) => d.redacted)).toBe(true);
    expect(m.appendix.destinations.find((d) => d.host === ANALYTICS.host)?.redacted).toBe(false);
    expect(m.methodology.devices.filter((d) => d.investigated === true).map((d) => d.macs)).toEqual([[PHONE.mac]]);
  }, 120_000);
});

describe('decoded context of a value', () => {
  it('reads JSON paths as the decoder writes them', () => {
    expect(jsonPathSegments('$[0].properties.url')).toEqual([0, 'properties', 'url']);
    expect(jsonPathSegments("$['odd key'][2].x")).toEqual(['odd key', 2, 'x']);
    expect(jsonPathSegments('properties.url')).toBeNull();
  });

  it('shows the fields of the JSON object the chain points to, the value marked in its own field', () => {
    const events = [
      { event: 'a', properties: { url: 'https://example.org/first', device_id: 'abc123def456' } },
      { event: 'b', properties: { url: 'https://example.org/second', device_id: 'abc123def456', note: 'x'.repeat(300) } },
    ];
    const data = gzipSync(Buffer.from(JSON.stringify(events))).toString('base64');
    const body = Buffer.from(`v=2&data=${encodeURIComponent(data)}`);
    const chain = 'form:data → base64 → gzip → json:$[1].properties.device_id';
    const ctx = leakContext('body', chain, 'abc123def456', '/collect', body, 'application/x-www-form-urlencoded');
    expect(ctx).not.toBeNull();
    const c = ctx as { text: string; start: number; end: number };
    expect(c.text.split('\n')[0]).toBe('$[1].properties:');
    expect(c.text).toContain('url = https://example.org/second');
    expect(c.text).not.toContain('first');
    expect(c.text).toContain(`note = ${'x'.repeat(100)}…`);
    expect(c.text.slice(c.start, c.end)).toBe('abc123def456');
    expect(c.text.slice(0, c.start)).toMatch(/device_id = $/);
  });

  it('falls back to the query string around the value, and to nothing for headers', () => {
    const ctx = leakContext('query', 'query:q', 'hiv test', '/search?client=x&q=hiv+test&hl=en', null, null);
    expect(ctx).not.toBeNull();
    const c = ctx as { text: string; start: number; end: number };
    expect(c.text).toBe('client=x&q=hiv+test&hl=en');
    expect(c.text.slice(c.start, c.end)).toBe('hiv+test');
    expect(leakContext('header', 'header:referer', 'https://a.example/', '/', null, null)).toBeNull();
  });
});
