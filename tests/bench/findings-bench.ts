/**
 * Time of the findings analysis on a generated case: `npx node tests/bench/findings-bench.ts [requests] [dir]`
 * (default 20 000 requests). The case mixes what real browsing and app traffic send:
 * page navigations, subresources with Referers (first and third party), Google
 * Analytics style beacons with cookies and client ids, and the scenario's analytics
 * POSTs (form → base64 → gzip → JSON). Records are written straight into the store, so
 * only the analysis is timed. Prints wall and CPU time, requests/s and the peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnalysis } from '../../electron/engine/findings/analysis.ts';
import { setModeLabels } from '../../electron/engine/findings/modes.ts';
import type { HeaderList, HttpRecord } from '../../electron/engine/records.ts';
import { CaseStore } from '../../electron/engine/store/case-store.ts';
import { analyticsBody, analyticsEvents, PHONE, SESSIONS } from '../../tools/synth/scenario-phone.ts';

const N = Number(process.argv[2] ?? 20_000);
const dir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'telltale-findings-bench-'));
const START = 1_700_000_000_000_000_000n;
const SITES = ['www.newssite.com', 'shop.example.com', 'blog.example.org', 'www.wikipedia.org', 'forum.example.net'];
const THIRD = ['cdn.jsdelivr.net', 'fonts.googleapis.com', 'connect.facebook.net', 'static.doubleclick.net', 'cdn.othercdn.net'];
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

function rec(i: number, input: number, host: string, uri: string, headers: HeaderList, body: Buffer | null, dstIp: string): HttpRecord {
  return {
    input, frame: i + 1, entry: null, ts: START + BigInt(i) * 50_000_000n, srcIp: '192.168.1.20', srcPort: 40000 + (i % 20000),
    dstIp, dstPort: 80, method: body ? 'POST' : 'GET', host, uri, version: 'HTTP/1.1', requestHeaders: [['Host', host], ['User-Agent', UA], ...headers],
    requestBody: body, requestBodySize: body?.length ?? 0, status: 200, reason: 'OK', responseHeaders: [['Content-Type', 'text/html']],
    responseBody: null, responseBodySize: 0, responseFrame: null, responseTs: null, truncated: false, source: 'tcp', serverIp: null,
  };
}

const path = join(dir, 'bench.db');
const store = CaseStore.open(path, { create: true });
const inputs = [store.addInput(join(dir, 'normal.pcap')), store.addInput(join(dir, 'incognito.pcap'))];
let page = 'http://www.newssite.com/';
const visits = [...SESSIONS.normal.visits, ...SESSIONS.incognito.visits];
for (let i = 0; i < N; i++) {
  const input = inputs[i < N / 2 ? 0 : 1];
  const k = i % 10;
  const site = SITES[(i >> 4) % SITES.length];
  const ip = `198.51.100.${(i % 200) + 1}`;
  if (k === 0) {
    page = `http://${site}/article/${i}?ref=front&id=${i * 7}`;
    store.http(rec(i, input, site, page.slice(page.indexOf('/', 7)), [['Accept', 'text/html,*/*'], ['Sec-Fetch-Dest', 'document'], ['Sec-Fetch-Mode', 'navigate'],
      ['Cookie', `session=${(i * 2654435761) >>> 0}; prefs=dark; _ga=GA1.2.1866496610.1510221160`]], null, ip));
  } else if (k <= 4) {
    store.http(rec(i, input, site, `/static/img-${i}.png`, [['Accept', 'image/*'], ['Referer', page], ['Cookie', 'session=1; prefs=dark']], null, ip));
  } else if (k <= 6) {
    const t = THIRD[i % THIRD.length];
    store.http(rec(i, input, t, `/lib/v${i % 9}/x.js`, [['Accept', '*/*'], ['Referer', page]], null, ip));
  } else if (k <= 8) {
    const q = `v=1&tid=UA-1234-1&cid=1866496610.1510221160&t=pageview&dl=${encodeURIComponent(page)}&dt=Title%20${i}&sr=1920x1080&ul=en-us&z=${i * 31}`;
    store.http(rec(i, input, 'www.google-analytics.com', `/collect?${q}`, [['Referer', page]], null, '142.250.185.78'));
  } else {
    const v = visits[i % visits.length];
    const body = analyticsBody(analyticsEvents(v, input === inputs[0] ? 'normal' : 'incognito', 1_700_000_000_000 + i));
    store.http(rec(i, input, 'tracking.intl.miui.com', '/track/v4', [['User-Agent', PHONE.userAgent], ['Content-Type', 'application/x-www-form-urlencoded']], body, '8.219.136.23'));
  }
}
store.flush();
setModeLabels(store.db, [{ mode: 'normal', input: inputs[0] }, { mode: 'incognito', input: inputs[1] }]);

let peak = process.memoryUsage().rss;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const s = await runAnalysis(store, { onProgress: () => { peak = Math.max(peak, process.memoryUsage().rss); } });
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
clearInterval(timer);
console.log(JSON.stringify({
  requests: s.requests, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), requestsPerSecond: Math.round(s.requests / (ms / 1000)), leaks: s.leaks, identifiers: s.identifiers,
  devices: s.devices, destinations: s.destinations, peakRssMiB: Math.round(peak / 1048576),
}));
store.close();
if (process.argv[3] === undefined) rmSync(dir, { recursive: true, force: true });
