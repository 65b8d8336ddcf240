import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../../electron/engine/store/case-store.ts';
import pkg from '../../package.json' with { type: 'json' };
import { tempDir } from '../unit/store/records-fixture.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/telltale.js');
const CORPUS = join(ROOT, 'tests/fixtures/corpus');

function cli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** "1367526033.491822000" (tshark epoch) → ISO with `digits` fractional digits. */
function isoFromEpoch(epoch: string, digits: number): string {
  const [sec, frac = ''] = epoch.split('.');
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac.padEnd(9, '0').slice(0, digits)}Z`;
}

interface Truth {
  packet_count: number;
  first_timestamp_epoch: string;
  last_timestamp_epoch: string;
  dns_query_names: string[];
  dns_answer_section: Record<string, { a: string[]; aaaa: string[] }>;
  http_requests: Array<{ frame: number; method: string; host: string; uri: string; version: string }>;
}

describe('telltale CLI', () => {
  it('analyzes a corpus capture into a new case and writes the JSON export', () => {
    const dir = tempDir();
    const file = 'pcapplusplus__example.pcap';
    const capture = join(CORPUS, file);
    const truth = JSON.parse(readFileSync(`${capture}.truth.json`, 'utf8')) as Truth;
    const r = cli(['analyze', capture, '--json', 'out.json', '--quiet'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    // Without --case, the case lands in the working directory under a timestamped name.
    const cases = readdirSync(dir).filter((f) => /^telltale-case-\d{8}-\d{6}\.db$/.test(f));
    expect(cases).toHaveLength(1);
    expect(r.stdout).toContain(join(dir, cases[0]));
    expect(r.stdout).toContain(`${truth.packet_count} packets`);

    const doc = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(doc.format).toBe('telltale-export');
    expect(doc.inputs).toHaveLength(1);
    expect(doc.inputs[0]).toMatchObject({
      file, path: capture, sha256: sha256(capture), format: 'pcap', gzip: false, linkTypes: [1], linkTypeNames: ['ETHERNET'],
      packets: truth.packet_count, firstTs: isoFromEpoch(truth.first_timestamp_epoch, 6), lastTs: isoFromEpoch(truth.last_timestamp_epoch, 6),
    });
    // Records against tshark's view of the same file.
    expect(new Set(doc.dns.map((d: { name: string }) => d.name))).toEqual(new Set(truth.dns_query_names));
    for (const d of doc.dns) expect(d).toMatchObject({ input: file, frame: expect.any(Number), ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/) });
    const http = new Set(doc.http.map((h: { frame: number; method: string; host: string; uri: string }) => `${h.frame} ${h.method} ${h.host} ${h.uri}`));
    for (const t of truth.http_requests) expect(http).toContain(`${t.frame} ${t.method} ${t.host} ${t.uri}`);
    const names = new Map<string, string[]>(doc.hosts.map((h: { ip: string; names: string[] }) => [h.ip, h.names]));
    for (const [qname, ans] of Object.entries(truth.dns_answer_section)) {
      for (const ip of [...ans.a, ...ans.aaaa]) expect(names.get(ip)).toContain(qname.toLowerCase());
    }

    const store = CaseStore.open(join(dir, cases[0]), { readonly: true });
    const log = store.custodyLog();
    expect(log.map((c) => c.action)).toEqual(['case.create', 'import.start', 'import.done', 'export.json']);
    expect(log[2].detail).toMatchObject({ sha256: sha256(capture), packets: truth.packet_count });
    expect(log[3].detail).toMatchObject({ path: join(dir, 'out.json'), sha256: sha256(join(dir, 'out.json')) });
    store.close();
  });

  it('adds inputs to an existing case given with --case', () => {
    const dir = tempDir();
    const first = cli(['analyze', join(CORPUS, 'zeek__dns-ech.pcap'), '--case', 'c.db', '-q'], dir);
    expect(first.code).toBe(0);
    const har = join(CORPUS, 'mitmproxy__chrome.har');
    const second = cli(['analyze', har, '--case', 'c.db', '--json', 'x.json', '-q'], dir);
    expect(second.code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8'));
    const harTruth = JSON.parse(readFileSync(`${har}.truth.json`, 'utf8')) as { entry_count: number };
    expect(doc.inputs.map((i: { file: string }) => i.file)).toEqual(['zeek__dns-ech.pcap', 'mitmproxy__chrome.har']);
    expect(doc.inputs[1]).toMatchObject({ format: 'har', entries: harTruth.entry_count });
    expect(doc.http.filter((h: { input: string }) => h.input === 'mitmproxy__chrome.har')).toHaveLength(harTruth.entry_count);
    for (const h of doc.http) expect(h).toHaveProperty('entry');
    const store = CaseStore.open(join(dir, 'c.db'), { readonly: true });
    expect(store.custodyLog().filter((c) => c.action === 'case.create')).toHaveLength(1);
    expect(store.verifyCustody().ok).toBe(true);
    store.close();
  });

  it('reports a file already in the case (same SHA-256, any name) and keeps its records once, exit 0', () => {
    const dir = tempDir();
    const capture = join(CORPUS, 'zeek__dns-ech.pcap');
    expect(cli(['analyze', capture, '--case', 'c.db', '-q'], dir).code).toBe(0);
    let store = CaseStore.open(join(dir, 'c.db'), { readonly: true });
    const once = store.counts();
    const hostsOnce = [...store.iterHosts()];
    store.close();

    writeFileSync(join(dir, 'renamed.pcap'), readFileSync(capture));
    const r = cli(['analyze', 'renamed.pcap', '--case', 'c.db', '-q'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('renamed.pcap  already in the case as input 1 (zeek__dns-ech.pcap)');

    store = CaseStore.open(join(dir, 'c.db'), { readonly: true });
    expect(store.counts()).toEqual({ ...once, inputs: 2 });
    expect([...store.iterHosts()]).toEqual(hostsOnce);
    expect(store.inputs().map((i) => [i.fileName, i.status, i.error])).toEqual([
      ['zeek__dns-ech.pcap', 'done', null],
      ['renamed.pcap', 'failed', 'same SHA-256 as input 1 (zeek__dns-ech.pcap): not imported again'],
    ]);
    // The attempt stays in the custody log.
    const last = store.custodyLog().filter((c) => c.action.startsWith('import.')).at(-1);
    expect(last).toMatchObject({ action: 'import.failed', detail: { input: 2, duplicateOf: 1, sha256: sha256(capture) } });
    expect(store.verifyCustody().ok).toBe(true);
    store.close();
  });

  it('exits 2 and names the file when an input is not a capture', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'Meeting notes, not a capture.\n');
    const r = cli(['analyze', 'notes.txt', '--case', 'c.db', '-q'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('notes.txt');
    const store = CaseStore.open(join(dir, 'c.db'), { readonly: true });
    expect(store.inputs()[0]).toMatchObject({ fileName: 'notes.txt', status: 'failed', sha256: sha256(join(dir, 'notes.txt')) });
    store.close();
  });

  it('exits 2 for a missing file and creates no case for nothing', () => {
    const dir = tempDir();
    const r = cli(['analyze', 'nope.pcap'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.pcap: no such file/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('still imports the readable inputs when one is missing, and exits 2', () => {
    const dir = tempDir();
    const r = cli(['analyze', 'nope.pcap', join(CORPUS, 'zeek__dns-ech.pcap'), '--case', 'c.db', '-q'], dir);
    expect(r.code).toBe(2);
    const store = CaseStore.open(join(dir, 'c.db'), { readonly: true });
    expect(store.inputs().map((i) => [i.fileName, i.status])).toEqual([['zeek__dns-ech.pcap', 'done']]);
    store.close();
  });

  it('exits 1 on usage errors and never overwrites a file that is not a case', () => {
    const dir = tempDir();
    expect(cli([], dir).code).toBe(1);
    expect(cli(['frobnicate'], dir).code).toBe(1);
    expect(cli(['analyze'], dir).code).toBe(1);
    const bad = cli(['analyze', '--bogus', 'x.pcap'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bogus/);
    writeFileSync(join(dir, 'precious.db'), 'do not touch');
    const r = cli(['analyze', join(CORPUS, 'zeek__dns-ech.pcap'), '--case', 'precious.db'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a Telltale case/);
    expect(readFileSync(join(dir, 'precious.db'), 'utf8')).toBe('do not touch');
    // The JSON output may not replace an input.
    const input = join(dir, 'copy.pcap');
    writeFileSync(input, readFileSync(join(CORPUS, 'zeek__dns-ech.pcap')));
    expect(cli(['analyze', input, '--json', input], dir).code).toBe(1);
    expect(sha256(input)).toBe(sha256(join(CORPUS, 'zeek__dns-ech.pcap')));
    expect(readdirSync(dir).filter((f) => f.startsWith('telltale-case-'))).toEqual([]);
  });

  it('prints help and version', () => {
    const dir = tempDir();
    const v = cli(['--version'], dir);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(`telltale ${pkg.version}`);
    const h = cli(['--help'], dir);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/analyze/);
    const ah = cli(['analyze', '--help'], dir);
    expect(ah.code).toBe(0);
    expect(ah.stdout).toMatch(/--json/);
  });
});
