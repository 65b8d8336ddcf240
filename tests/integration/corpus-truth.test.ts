/**
 * Every capture and HAR of the corpus goes through the real CLI (`telltale analyze …
 * --json`), and the export is compared with what tshark 4.0.17 reported for the same
 * file (`<file>.truth.json`). Where tshark is wrong, `CORRECTIONS` says so and the test
 * asserts what is true instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CORPUS = join(ROOT, 'tests', 'fixtures', 'corpus');
const CLI = join(ROOT, 'bin', 'telltale.js');

// Wireshark's WTAP_ENCAP numbers in truth files → the LINKTYPE_* values in the file.
const WTAP_TO_LINKTYPE: Record<string, number> = {
  '1': 1, // Ethernet
  '7': 101, // raw IP
  '15': 0, // BSD null/loopback
  '25': 113, // Linux SLL
  '129': 228, // raw IPv4
  '130': 229, // raw IPv6
  '210': 276, // Linux SLL2
};

interface Truth {
  packet_count?: number;
  tshark_rc?: number;
  frame_encap_types?: string[] | null;
  min_timestamp_epoch?: string;
  max_timestamp_epoch?: string;
  tls_sni?: string[];
  quic_sni?: string[];
  dns_query_names?: string[];
  dns_answer_section?: Record<string, { a: string[]; aaaa: string[]; cname: string[] }>;
  http_request_count?: number;
  http_requests?: Array<{ method: string; host: string; uri: string }>;
  http_requests_truncated_to?: number;
  valid_har?: boolean;
  entry_count?: number;
  page_count?: number;
  hosts?: Record<string, number>;
  methods?: Record<string, number>;
  status_codes?: Record<string, number>;
}

interface ExportInput {
  file: string;
  sha256: string;
  format: string | null;
  linkTypes: number[];
  packets?: number;
  entries?: number;
  firstTs: string | null;
  lastTs: string | null;
  anomalies: number;
  error?: string | null;
}
interface ExportDns { name: string; qtype: string; response: boolean; answers: Array<{ name: string; type: string | number; data: string }>; input: string; frame: number }
interface ExportTls { sni: string | null; transport: 'tcp' | 'quic'; input: string; frame: number }
interface ExportHttp { method: string; host: string | null; uri: string; status?: number | null; input: string; frame?: number; entry?: number }
interface ExportAnomaly { input: string; frame: number | null; layer: string; error: string }
interface Export {
  inputs: ExportInput[];
  dns: ExportDns[];
  tls: ExportTls[];
  http: ExportHttp[];
  hosts: Array<{ ip: string; names: string[] }>;
  anomalies: ExportAnomaly[];
}

/**
 * Places where tshark 4.0.17 is wrong or reports a marker instead of data. Each entry
 * replaces the truth value with what is actually in the file, and says why.
 */
const CORRECTIONS: Record<string, { why: string; truth: Partial<Truth> }> = {
  'zeek__get-to-ssh-server.pcap': {
    why: 'tshark decodes TCP port 22 as SSH by port number; the client actually sends an HTTP GET (the point of the zeek test). Telltale finds HTTP by content.',
    truth: { http_request_count: 1, http_requests: [{ method: 'GET', host: '128.3.50.246', uri: '/' }] },
  },
  'pcapplusplus__example.pcap': {
    why: 'Frame 3416 is a UPnP GENA "SUBSCRIBE /evt/CmnIfCfg HTTP/1.1" to TCP port 5005. tshark does not dissect that port as HTTP, so it counts 337 requests; the request is HTTP/1.1 and Telltale finds it by content: 338.',
    truth: { http_request_count: 338 },
  },
  'zeek__dns-invalid-names.pcap': {
    why: "tshark prints its marker '<Name contains a pointer that loops>' for frame 2 and no name for frames 1 and 3; none of the three names can be decoded. Telltale keeps each message with a marker in the undecodable part ('<loop>', '<truncated>') and an anomaly per frame.",
    truth: { dns_query_names: ['<loop>', '<truncated>', 'abc.<truncated>'] },
  },
};

function readTruth(file: string): Truth {
  const own = join(CORPUS, `${file}.truth.json`);
  if (existsSync(own)) return JSON.parse(readFileSync(own, 'utf8')) as Truth;
  // generated__tls-dsb.pcapng is the keylog capture with its keys injected as a DSB
  // (editcap --inject-secrets): same packets, so the sibling's truth applies.
  for (const f of readdirSync(CORPUS).filter((n) => n.endsWith('.truth.json'))) {
    const t = JSON.parse(readFileSync(join(CORPUS, f), 'utf8')) as Truth & { dsb_variant?: string };
    if (t.dsb_variant === file) return t;
  }
  throw new Error(`no truth file for ${file}`);
}

/** "1258577884.822720000" → ISO 8601 with `digits` fractional digits. */
function epochToIso(epoch: string, digits: number): string {
  const [sec, frac = ''] = epoch.split('.');
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  return digits > 0 ? `${base}.${frac.padEnd(9, '0').slice(0, digits)}Z` : `${base}Z`;
}

const inputsOf = (e: Export, file: string) => e.inputs.filter((i) => basename(i.file) === file);
const byInput = <T extends { input: string }>(rows: T[], file: string): T[] => rows.filter((r) => basename(r.input) === file);
const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

const files = readdirSync(CORPUS)
  .filter((f) => /\.(pcap|pcapng|har)$/.test(f))
  .sort();
const captures = files.filter((f) => !f.endsWith('.har') && !f.endsWith('.txt'));
const hars = files.filter((f) => f.endsWith('.har'));

let out: Export;
let exitCode: number | null;
let stderr: string;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'telltale-corpus-'));
  const json = join(dir, 'export.json');
  const r = spawnSync(process.execPath, [CLI, 'analyze', ...files.map((f) => join(CORPUS, f)), '--case', join(dir, 'case.db'), '--json', json], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  exitCode = r.status;
  stderr = r.stderr;
  out = JSON.parse(readFileSync(json, 'utf8')) as Export;
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('CLI import of the whole corpus', () => {
  it('imports every file once, and exits non-zero because some inputs are unreadable', () => {
    expect(out.inputs.map((i) => basename(i.file)).sort()).toEqual(files);
    expect(exitCode).toBe(2);
    for (const bad of ['libpcap__pcap-invalid-version-1.pcap', 'libpcap__shb-option-too-long.pcapng', 'mitmproxy__brokenfile.har']) {
      expect(stderr).toContain(bad);
    }
  });

  it('records the SHA-256 of every input', async () => {
    const { createHash } = await import('node:crypto');
    for (const i of out.inputs) {
      const want = createHash('sha256').update(readFileSync(join(CORPUS, basename(i.file)))).digest('hex');
      expect(i.sha256, i.file).toBe(want);
    }
  });
});

describe.each(captures)('%s', (file) => {
  const truth = { ...readTruth(file), ...(CORRECTIONS[file]?.truth ?? {}) };

  it('has the packet count, link types and time span tshark reports', () => {
    const [input] = inputsOf(out, file);
    expect(input, 'input present').toBeDefined();
    if (truth.tshark_rc === 2 && truth.packet_count === 0) {
      // tshark rejects the file outright; so must we, with a reason.
      expect(input.error).toBeTruthy();
      expect(input.packets ?? 0).toBe(0);
      return;
    }
    expect(input.packets).toBe(truth.packet_count);
    if (truth.frame_encap_types) {
      expect(sorted(input.linkTypes.map(String))).toEqual(sorted(truth.frame_encap_types.map((w) => String(WTAP_TO_LINKTYPE[w]))));
    }
    if (file === 'ndpi__fuzz-truncated.pcap') {
      // tshark yields the one record and stops with "cut short in the middle of a packet";
      // we keep the frame and record where the file ends as an anomaly.
      expect(byInput(out.anomalies, file).some((a) => /cut short/i.test(a.error))).toBe(true);
      return;
    }
    if (file === 'tcpdump__timestamp_invalid_nano.pcap') {
      // tshark prints frame 3 as a negative epoch; the fractional field is simply invalid.
      expect(byInput(out.anomalies, file).some((a) => /timestamp|fraction/i.test(a.error))).toBe(true);
      expect(input.firstTs?.startsWith('2014-12-09T17:16:09')).toBe(true);
      return;
    }
    if (file === 'pcapplusplus__pcapng-example.pcapng') {
      // Interface 1's timestamps wrap an unsigned 64-bit counter (year 586524): tshark
      // shows them as-is; we flag them and keep the frames.
      expect(byInput(out.anomalies, file).some((a) => /timestamp/i.test(a.error))).toBe(true);
      return;
    }
    if (truth.min_timestamp_epoch && truth.max_timestamp_epoch) {
      const digits = input.firstTs?.match(/\.(\d+)Z$/)?.[1].length ?? 0;
      expect(input.firstTs).toBe(epochToIso(truth.min_timestamp_epoch, digits));
      expect(input.lastTs).toBe(epochToIso(truth.max_timestamp_epoch, digits));
    }
  });

  it('finds the TLS and QUIC server names', () => {
    const tls = byInput(out.tls, file);
    expect(sorted(tls.filter((t) => t.transport === 'tcp' && t.sni).map((t) => t.sni as string))).toEqual(sorted(truth.tls_sni ?? []));
    expect(sorted(tls.filter((t) => t.transport === 'quic' && t.sni).map((t) => t.sni as string))).toEqual(sorted(truth.quic_sni ?? []));
  });

  it('finds the DNS query names and answer-section addresses', () => {
    const dns = byInput(out.dns, file);
    if (file === 'zeek__dns-invalid-names.pcap') {
      const bad = byInput(out.anomalies, file).filter((a) => a.layer === 'dns');
      expect(bad.map((a) => a.frame).sort()).toEqual([1, 2, 3]);
      expect(bad.find((a) => a.frame === 2)?.error).toMatch(/loop/);
    }
    expect(sorted(dns.map((d) => d.name).filter((n) => n !== ''))).toEqual(sorted(truth.dns_query_names ?? []));
    for (const [qname, want] of Object.entries(truth.dns_answer_section ?? {})) {
      const answers = dns.filter((d) => d.response && d.name === qname).flatMap((d) => d.answers);
      const of = (t: string) => sorted(answers.filter((a) => String(a.type) === t).map((a) => a.data));
      expect(of('A'), `${qname} A`).toEqual(sorted(want.a));
      expect(of('AAAA'), `${qname} AAAA`).toEqual(sorted(want.aaaa));
      expect(of('CNAME'), `${qname} CNAME`).toEqual(sorted(want.cname));
    }
  });

  it('finds the HTTP requests', () => {
    const http = byInput(out.http, file);
    // tshark's http.host is the Host header verbatim (with ":8000"); Telltale's host is
    // the name alone, the port being in dstPort.
    const key = (r: { method: string; host: string | null; uri: string }) => `${r.method} ${(r.host ?? '').replace(/:\d+$/, '')} ${r.uri}`;
    const ours = http.map(key).sort();
    if (file === 'zeek__ipv6-http-atomic-frag.pcap') {
      // tshark calls the client's 15-byte segment a spurious retransmission and reports
      // nothing. The four connections each carry an HTTP/0.9 simple request,
      // "GET /bad.html\r\n" (no version, no Host), answered by bare HTML.
      expect(ours).toEqual(Array(4).fill('GET  /bad.html'));
      return;
    }
    expect(http.length).toBe(truth.http_request_count ?? 0);
    const want = (truth.http_requests ?? []).map(key).sort();
    if (truth.http_requests_truncated_to) {
      // The truth file lists only the first N requests: all of them must be among ours.
      const pool = [...ours];
      for (const w of want) {
        const i = pool.indexOf(w);
        expect(i, w).toBeGreaterThanOrEqual(0);
        pool.splice(i, 1);
      }
    } else {
      expect(ours).toEqual(want);
    }
  });
});

describe.each(hars)('%s', (file) => {
  const truth = readTruth(file);

  it('has the entries, hosts, methods and status codes of the HAR', () => {
    const [input] = inputsOf(out, file);
    expect(input).toBeDefined();
    expect(input.format).toBe('har');
    if (truth.valid_har === false) {
      expect(input.error).toMatch(/invalid HAR|JSON/i);
      expect(input.entries ?? 0).toBe(0);
      return;
    }
    expect(input.entries).toBe(truth.entry_count);
    const http = byInput(out.http, file);
    expect(http.length).toBe(truth.entry_count);
    expect(http.every((h) => typeof h.entry === 'number')).toBe(true);
    const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
    expect(count(http.map((h) => h.host ?? ''))).toEqual(truth.hosts);
    expect(count(http.map((h) => h.method))).toEqual(truth.methods);
    expect(count(http.map((h) => String(h.status ?? 0)))).toEqual(truth.status_codes);
  });
});
