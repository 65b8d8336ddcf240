/**
 * HTTP/1.x through the real pipeline (reader → dissector → http1.ts) on the corpus,
 * compared with the tshark 4.0.17 sidecars, plus the two captures where tshark is
 * wrong and body checks against bytes pulled out of the files independently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import '../../../electron/engine/protocols/index.ts';
import { dissectCorpus } from '../dissect/helpers.ts';
import { decodedResponseBody } from '../../../electron/engine/protocols/http-body.ts';
import type { CollectingSink, HttpRecord } from '../../../electron/engine/records.ts';

const CORPUS = join(import.meta.dirname, '../../fixtures/corpus');

/** Run a capture file through the reader and the dissector into a collecting sink. */
function runCapture(file: string): CollectingSink {
  return dissectCorpus(file).sink;
}

interface RequestTruth { frame: number; method: string; host: string; uri: string; version: string }
interface Truth {
  http_request_count?: number;
  http_requests?: RequestTruth[];
  http_requests_truncated_to?: number;
}

const truths = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.truth.json'))
  .map((f) => ({ file: f.slice(0, -'.truth.json'.length), truth: JSON.parse(readFileSync(join(CORPUS, f), 'utf8')) as Truth }))
  .filter((c) => typeof c.truth.http_request_count === 'number');

// tshark files SUBSCRIBE/UNSUBSCRIBE/NOTIFY (UPnP GENA) under http.notification, not
// http.request; they are requests to us, so they are left out only when comparing.
const GENA = new Set(['SUBSCRIBE', 'UNSUBSCRIBE', 'NOTIFY']);

/** tshark keeps the port in http.host; our host never has one. */
function hostOnly(h: string): string {
  const lower = h.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(1, lower.indexOf(']'));
  const colon = lower.indexOf(':');
  return colon >= 0 && lower.indexOf(':', colon + 1) < 0 ? lower.slice(0, colon) : lower;
}

const key = (method: string, host: string | null, uri: string): string => `${method} ${host ?? '-'} ${uri}`;

function counts(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

// tshark is wrong on these two (see MANIFEST.md); they get their own tests below.
const TSHARK_WRONG = new Set(['zeek__get-to-ssh-server.pcap', 'zeek__ipv6-http-atomic-frag.pcap']);

function header(r: HttpRecord, name: string, response: boolean): string | null {
  const list = response ? r.responseHeaders ?? [] : r.requestHeaders;
  const hit = list.find(([k]) => k.toLowerCase() === name);
  return hit ? hit[1] : null;
}

/**
 * Minimal independent extraction for the single-connection Ethernet/IPv4 captures used
 * below: the TCP payload sent from `srcPort`, in sequence order, duplicates dropped.
 */
function tcpPayload(file: string, srcPort: number): Buffer {
  const b = readFileSync(join(CORPUS, file));
  expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
  expect(b.readUInt32LE(20)).toBe(1);
  const segs = new Map<number, Buffer>();
  for (let off = 24; off + 16 <= b.length;) {
    const caplen = b.readUInt32LE(off + 8);
    const frame = b.subarray(off + 16, off + 16 + caplen);
    off += 16 + caplen;
    if (frame.readUInt16BE(12) !== 0x0800) continue;
    const ip = frame.subarray(14);
    if (ip[9] !== 6) continue;
    const tcp = ip.subarray((ip[0] & 0x0f) * 4, ip.readUInt16BE(2));
    if (tcp.readUInt16BE(0) !== srcPort) continue;
    const data = tcp.subarray((tcp[12] >> 4) * 4);
    if (data.length > 0) segs.set(tcp.readUInt32BE(4), data);
  }
  return Buffer.concat([...segs.entries()].sort((x, y) => x[0] - y[0]).map(([, d]) => d));
}

describe('http on the corpus: requests tshark reports', () => {
  for (const { file, truth } of truths.filter((t) => (t.truth.http_request_count ?? 0) > 0)) {
    it(`${file}: same method, host and URI for every request`, () => {
      const sink = runCapture(file);
      const ours = sink.httpRecords.filter((r) => !GENA.has(r.method)).map((r) => key(r.method, r.host, r.uri));
      const theirs = truth.http_requests!.map((r) => key(r.method, hostOnly(r.host), r.uri));
      if (truth.http_requests_truncated_to !== undefined) {
        // The sidecar lists only the first requests: all of those, and the right total.
        expect(ours.length).toBe(truth.http_request_count);
        const have = counts(ours);
        for (const [k, n] of counts(theirs)) expect(have.get(k) ?? 0, k).toBeGreaterThanOrEqual(n);
      } else {
        expect(counts(ours)).toEqual(counts(theirs));
      }
      expect(sink.anomalyRecords.filter((a) => a.layer === 'http')).toEqual([]);
    });
  }

  it('finds no request where tshark finds none (other than the two where tshark is wrong)', () => {
    const none = truths.filter((t) => t.truth.http_request_count === 0 && !TSHARK_WRONG.has(t.file));
    expect(none.length).toBeGreaterThan(0);
    for (const { file } of none) {
      expect(runCapture(file).httpRecords.map((r) => key(r.method, r.host, r.uri)), file).toEqual([]);
    }
  });

  it('also reports the UPnP SUBSCRIBE of pcapplusplus__example.pcap that tshark files as a notification', () => {
    const subs = runCapture('pcapplusplus__example.pcap').httpRecords.filter((r) => GENA.has(r.method));
    expect(subs.map((r) => [r.method, r.uri, r.status])).toEqual([['SUBSCRIBE', '/evt/CmnIfCfg', 200]]);
  });
});

describe('http on the corpus: where tshark is wrong', () => {
  it('zeek__get-to-ssh-server.pcap: finds the GET sent to port 22', () => {
    // Independent source: the request line as it sits in the file.
    const raw = readFileSync(join(CORPUS, 'zeek__get-to-ssh-server.pcap'));
    const start = raw.indexOf('GET ');
    const line = raw.toString('latin1', start, raw.indexOf('\r\n', start));
    const [method, uri, version] = line.split(' ');
    const sink = runCapture('zeek__get-to-ssh-server.pcap');
    expect(sink.httpRecords).toHaveLength(1);
    const r = sink.httpRecords[0];
    expect([r.method, r.uri, r.version, r.dstPort]).toEqual([method, uri, version, 22]);
    // The server answered with an SSH banner, not HTTP.
    expect(r.status).toBeNull();
  });

  it('zeek__ipv6-http-atomic-frag.pcap: four HTTP/0.9 exchanges in IPv6 atomic fragments', () => {
    // tshark drops the 15-byte requests as spurious retransmissions; the payloads are
    // HTTP/0.9 simple requests ("GET /bad.html" without version) on port 80, each
    // answered by a bare HTML document up to the FIN.
    const raw = readFileSync(join(CORPUS, 'zeek__ipv6-http-atomic-frag.pcap'));
    const reqLine = 'GET /bad.html\r\n';
    let n = 0;
    for (let i = raw.indexOf(reqLine); i >= 0; i = raw.indexOf(reqLine, i + 1)) n++;
    const htmlStart = raw.indexOf('<html>');
    const htmlEnd = raw.indexOf('</html>\n', htmlStart) + '</html>\n'.length;
    const html = raw.subarray(htmlStart, htmlEnd);
    expect(n).toBe(4);
    expect(html.length).toBe(88);

    const sink = runCapture('zeek__ipv6-http-atomic-frag.pcap');
    expect(sink.httpRecords).toHaveLength(n);
    for (const r of sink.httpRecords) {
      expect(r).toMatchObject({ method: 'GET', uri: '/bad.html', version: 'HTTP/0.9', host: null, status: null, dstPort: 80, truncated: false });
      expect(r.dstIp.startsWith('2001:db8:')).toBe(true);
      expect(r.responseBody?.equals(html)).toBe(true);
    }
  });
});

describe('http on the corpus: bodies', () => {
  it('zeek__http-get-gzip.pcap: the decoded body equals zlib on the bytes cut out of the file', () => {
    const server = tcpPayload('zeek__http-get-gzip.pcap', 80);
    const headEnd = server.indexOf('\r\n\r\n') + 4;
    const len = Number(/content-length: *(\d+)/i.exec(server.toString('latin1', 0, headEnd))![1]);
    const expected = gunzipSync(server.subarray(headEnd, headEnd + len));

    const [r] = runCapture('zeek__http-get-gzip.pcap').httpRecords;
    expect(header(r, 'content-encoding', true)).toBe('gzip');
    expect(r.responseBodySize).toBe(len);
    // Kept as sent; reading it gives what zlib gives.
    expect(r.responseBodyEncoding).toBe('gzip');
    expect(r.responseBody?.equals(server.subarray(headEnd, headEnd + len))).toBe(true);
    const decoded = decodedResponseBody(r)!;
    expect(decoded.error).toBeNull();
    expect(decoded.body.equals(expected)).toBe(true);
    expect(decoded.body.toString('utf8').trimStart().startsWith('{')).toBe(true);
    expect(r.truncated).toBe(false);
  });

  it('zeek__http-body-match.pcap: chunked and gzip bodies decode to the short ASCII payloads', () => {
    const recs = runCapture('zeek__http-body-match.pcap').httpRecords;
    const gz = recs.filter((r) => header(r, 'content-encoding', true) === 'gzip');
    const chunkedGz = gz.filter((r) => header(r, 'transfer-encoding', true) === 'chunked');
    expect(gz.length).toBeGreaterThanOrEqual(3);
    expect(chunkedGz.length).toBeGreaterThanOrEqual(2);
    for (const r of recs) {
      expect(r.truncated).toBe(false);
      expect(decodedResponseBody(r)?.body.toString('latin1')).toMatch(/^[A-Z]+$/);
      const cl = header(r, 'content-length', true);
      if (cl !== null) expect(r.responseBodySize).toBe(Number(cl));
    }
  });

  it('identity bodies match their Content-Length (pipelined, example, vlan, nanosecond captures)', () => {
    for (const file of ['zeek__http-pipelined-requests.pcap', 'pcapplusplus__example.pcap', 'zeek__http-vlan-0.pcap', 'pcapplusplus__nanosecs_big_endian.pcap']) {
      const recs = runCapture(file).httpRecords;
      let checked = 0;
      for (const r of recs) {
        const cl = header(r, 'content-length', true);
        if (cl === null || r.method === 'HEAD' || r.truncated) continue;
        expect(r.responseBodySize, `${file} frame ${r.frame}`).toBe(Number(cl));
        if (header(r, 'content-encoding', true) === null && r.responseBodySha256) {
          // A media body the case does not keep: its hash stands for it.
          expect(r.responseBody, `${file} frame ${r.frame}`).toBeNull();
          expect(r.responseBodySha256, `${file} frame ${r.frame}`).toMatch(/^[0-9a-f]{64}$/);
        } else if (header(r, 'content-encoding', true) === null) {
          expect(r.responseBody?.length ?? 0, `${file} frame ${r.frame}`).toBe(Number(cl));
        }
        checked++;
      }
      expect(checked, file).toBeGreaterThan(0);
    }
  });

  it('pcapplusplus__example.pcap: images not kept carry the SHA-256 of the object tshark exports', () => {
    // Independent source: `tshark -r pcapplusplus__example.pcap --export-objects http,dir` (tshark 4.0.17,
    // 2026-11-24), then sha256sum of the exported files.
    const exported: Record<string, string> = {
      '/PicServer3/2013/05/01/4598468/45984660100010012882.jpg': '9a8ba1a87119f0f692c6f2cd3513ab71c53e356ccfc174e6818627943c55f7af',
      '/PicServer2/24012010/3142398/banana-yedioth-america.gif': '2b1bdfb88934930b04a512e57421f631d28d677c89f6d9e73443f4fec6ef535f',
      '/PicServer3/2013/04/22/4581145/2.jpg': '3cebb9bb8f39802a65575d4b3b583544ff5f6d0b310f9cccdc5660ff5e1f8d87',
    };
    const recs = runCapture('pcapplusplus__example.pcap').httpRecords;
    for (const [uri, sha] of Object.entries(exported)) {
      const r = recs.find((x) => x.uri === uri);
      expect(r, uri).toBeDefined();
      expect(r!.responseBody, uri).toBeNull();
      expect(r!.responseBodySha256, uri).toBe(sha);
    }
    // Every image over 4 KiB is hashed, not kept; smaller ones are kept.
    for (const r of recs) {
      const ct = header(r, 'content-type', true)?.toLowerCase() ?? '';
      if (!ct.startsWith('image/') || header(r, 'content-encoding', true) !== null || r.truncated) continue;
      if (r.responseBodySize > 4096) expect(r.responseBodySha256, `frame ${r.frame}`).toMatch(/^[0-9a-f]{64}$/);
      else expect(r.responseBody?.length, `frame ${r.frame}`).toBe(r.responseBodySize);
    }
  });

  it('pcapplusplus__example.pcap: every gzip response decodes in full', () => {
    const recs = runCapture('pcapplusplus__example.pcap').httpRecords;
    const gz = recs.filter((r) => header(r, 'content-encoding', true)?.toLowerCase() === 'gzip' && r.responseBodySize > 0);
    expect(gz.length).toBeGreaterThan(0);
    for (const r of gz) {
      expect(r.truncated, `frame ${r.frame}`).toBe(false);
      expect(r.responseBodyEncoding, `frame ${r.frame}`).toBe('gzip');
      const decoded = decodedResponseBody(r)!;
      expect(decoded.error, `frame ${r.frame}`).toBeNull();
      expect(decoded.truncated, `frame ${r.frame}`).toBe(false);
      // A gzip member is at least 18 bytes: anything decoded must differ from the wire bytes.
      expect(decoded.body.length, `frame ${r.frame}`).toBeGreaterThan(0);
      expect(decoded.body.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])), `frame ${r.frame}`).toBe(false);
    }
  });

  it('points each request and response at the frames that carry their first bytes', () => {
    const [r] = runCapture('zeek__http-get-gzip.pcap').httpRecords;
    // Frame 4 carries the request line and frame 6 the status line (see the sidecar's frame 4 and the file).
    expect([r.frame, r.responseFrame]).toEqual([4, 6]);
    expect(r.responseTs! > r.ts).toBe(true);
  });
});
