/**
 * The findings scenario: a phone's browser that reports every visited page and search
 * to an analytics server abroad, in normal and in incognito mode, the way the 2020
 * case did: `crc=…&gzip=1&data_list=<base64(gzip(JSON events))>` POSTed over HTTP.
 *
 * Writes, deterministically and without network, one capture per mode as pcapng (the
 * analytics in plain HTTP, visited sites over TLS) and the same sessions as HAR files
 * (as a TLS-intercepting proxy would export them). `PLANTED` lists what a correct
 * analysis must find; tests compare against it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dhcpRequest, dnsMessage, httpRequest, httpResponse, prng, tlsAppData, tlsClientHello, tlsServerHello } from './packets.ts';
import { Clock, createPcapngWriter, TcpSession, writeUdp, type CaptureWriter, type Host } from './writer.ts';

export const PHONE: Host & { hostName: string; vendorClass: string; model: string; userAgent: string } = {
  mac: '3c:bd:3e:5a:10:23',
  ip: '192.168.1.23',
  hostName: 'Redmi-Note-9-Pro',
  vendorClass: 'android-dhcp-11',
  model: 'Redmi Note 9 Pro',
  userAgent:
    'Mozilla/5.0 (Linux; U; Android 11; en-gb; Redmi Note 9 Pro Build/RKQ1.200826.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.116 Mobile Safari/537.36 XiaoMi/MiuiBrowser/12.13.2-gn',
};
export const ROUTER: Host = { mac: '00:1a:2b:3c:4d:5e', ip: '192.168.1.1' };

/** The identifiers the phone sends; the same in both modes (that is the finding). */
export const IDS = {
  androidId: '9774d56d682e549c',
  uuid: '5f1c3e9a-8b2d-4c7e-9f3a-2d6b8e4c1a07',
  account: 'alice.example@xiaomi.com',
  accountId: '6254731980',
} as const;

/** The analytics endpoint: an Alibaba Cloud address in Singapore (see docs/scenario.md). */
export const ANALYTICS = { host: 'tracking.intl.miui.com', ip: '8.219.136.23', path: '/track/v4' } as const;

export interface Visit {
  url: string;
  host: string;
  ip: string;
  title: string;
  /** Search words, when the page is a search result page. */
  search?: string;
}

export const SESSIONS: Record<'normal' | 'incognito', { start: string; visits: Visit[] }> = {
  normal: {
    start: '2020-04-21T09:00:00.000Z',
    visits: [
      { url: 'https://www.bbc.com/news/world-europe-52345678', host: 'www.bbc.com', ip: '151.101.0.81', title: 'Europe news' },
      { url: 'https://www.google.com/search?q=asylum+lawyer+berlin', host: 'www.google.com', ip: '142.250.185.68', title: 'asylum lawyer berlin - Google Search', search: 'asylum lawyer berlin' },
      { url: 'https://en.wikipedia.org/wiki/Right_of_asylum', host: 'en.wikipedia.org', ip: '185.15.59.224', title: 'Right of asylum - Wikipedia' },
    ],
  },
  incognito: {
    start: '2020-04-21T09:30:00.000Z',
    visits: [
      { url: 'https://www.google.com/search?q=hiv+test+anonymous', host: 'www.google.com', ip: '142.250.185.68', title: 'hiv test anonymous - Google Search', search: 'hiv test anonymous' },
      { url: 'https://www.aidshilfe.de/hiv-test', host: 'www.aidshilfe.de', ip: '217.160.0.187', title: 'HIV-Test | Deutsche Aidshilfe' },
    ],
  },
};

/** What the analysis must find: every visited URL and search word leaked, per mode. */
export const PLANTED = {
  leakedUrls: { normal: SESSIONS.normal.visits.map((v) => v.url), incognito: SESSIONS.incognito.visits.map((v) => v.url) },
  leakedSearches: {
    normal: SESSIONS.normal.visits.flatMap((v) => (v.search ? [v.search] : [])),
    incognito: SESSIONS.incognito.visits.flatMap((v) => (v.search ? [v.search] : [])),
  },
  chainToUrl: 'form:data_list → base64 → gzip → json:$[0].properties.url',
  chainToSearch: 'form:data_list → base64 → gzip → json:$[1].properties.query',
};

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** The analytics events for one visit: a page load (URL) and, for search pages, a search event. */
export function analyticsEvents(v: Visit, mode: 'normal' | 'incognito', tsMs: number): unknown[] {
  const common = { android_id: IDS.androidId, uuid: IDS.uuid, account: IDS.account, user_id: IDS.accountId, model: PHONE.model, incognito: mode === 'incognito' };
  const events: unknown[] = [{ event: 'page_load', ts: tsMs, properties: { url: v.url, title: v.title, ...common } }];
  if (v.search) events.push({ event: 'search', ts: tsMs, properties: { query: v.search, engine: 'google', ...common } });
  return events;
}

/** The POST body: crc=…&gzip=1&data_list=<base64(gzip(JSON))>. */
export function analyticsBody(events: unknown[]): Buffer {
  const json = Buffer.from(JSON.stringify(events), 'utf8');
  // gzip with mtime 0 (node's default header) keeps the bytes deterministic.
  const data = gzipSync(json, { level: 6 }).toString('base64');
  const crc = crc32(Buffer.from(data)).toString(16).padStart(8, '0');
  return Buffer.from(`crc=${crc}&gzip=1&data_list=${encodeURIComponent(data)}`, 'latin1');
}

let portCounter = 40000;

function visitOverTls(w: CaptureWriter, clock: Clock, rand: () => number, v: Visit): void {
  const server: Host = { mac: ROUTER.mac, ip: v.ip };
  const phone: Host = PHONE;
  const id = Math.floor(rand() * 0xffff);
  writeUdp(w, clock, phone, ROUTER, 50000 + (id % 10000), 53, dnsMessage(id, v.host, 1, false), 5);
  writeUdp(w, clock, ROUTER, phone, 53, 50000 + (id % 10000), dnsMessage(id, v.host, 1, true, [{ type: 'A', name: v.host, data: v.ip }]), 12);
  const s = new TcpSession(w, clock, phone, server, portCounter++, 443, { rand });
  s.handshake(30);
  const random = Buffer.alloc(32, id & 0xff);
  s.send(true, tlsClientHello(v.host, ['h2', 'http/1.1'], random));
  s.send(false, tlsServerHello(random));
  s.send(true, tlsAppData(600, 0x41));
  s.send(false, tlsAppData(30000, 0x42));
  s.close();
}

function analyticsOverHttp(w: CaptureWriter, clock: Clock, rand: () => number, body: Buffer, firstUse: boolean): void {
  const server: Host = { mac: ROUTER.mac, ip: ANALYTICS.ip };
  if (firstUse) {
    const id = Math.floor(rand() * 0xffff);
    writeUdp(w, clock, PHONE, ROUTER, 50000 + (id % 10000), 53, dnsMessage(id, ANALYTICS.host, 1, false), 5);
    writeUdp(w, clock, ROUTER, PHONE, 53, 50000 + (id % 10000), dnsMessage(id, ANALYTICS.host, 1, true, [{ type: 'A', name: ANALYTICS.host, data: ANALYTICS.ip }]), 40);
  }
  const s = new TcpSession(w, clock, PHONE, server, portCounter++, 80, { rand });
  s.handshake(180);
  s.send(true, httpRequest('POST', ANALYTICS.host, ANALYTICS.path, [['User-Agent', PHONE.userAgent], ['Content-Type', 'application/x-www-form-urlencoded']], body));
  s.send(false, httpResponse(200, 'OK', [['Content-Type', 'application/json']], Buffer.from('{"code":0,"msg":"ok"}')));
  s.close();
}

/** Write `<dir>/phone-<mode>.pcapng` for one session; returns its path. */
export function writeScenarioPcapng(dir: string, mode: 'normal' | 'incognito'): string {
  const path = join(dir, `phone-${mode}.pcapng`);
  const rand = prng(mode === 'normal' ? 1 : 2);
  const w = createPcapngWriter(path, { application: 'telltale scenario generator', interfaceName: 'wlan0' });
  const clock = new Clock(SESSIONS[mode].start);
  portCounter = mode === 'normal' ? 40000 : 45000;
  writeUdp(w, clock, { mac: PHONE.mac, ip: '0.0.0.0' }, { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255' }, 68, 67, dhcpRequest(0x3903f326, PHONE.mac, PHONE.ip, PHONE.hostName, PHONE.vendorClass));
  let first = true;
  for (const v of SESSIONS[mode].visits) {
    clock.advanceMs(4000);
    visitOverTls(w, clock, rand, v);
    clock.advanceMs(800);
    const tsMs = Number(clock.ns / 1_000_000n);
    analyticsOverHttp(w, clock, rand, analyticsBody(analyticsEvents(v, mode, tsMs)), first);
    first = false;
  }
  w.close();
  return path;
}

/** Write `<dir>/phone-<mode>.har`: the same session as a TLS-intercepting proxy exports it. */
export function writeScenarioHar(dir: string, mode: 'normal' | 'incognito'): string {
  const path = join(dir, `phone-${mode}.har`);
  const clock = new Clock(SESSIONS[mode].start);
  const pages: unknown[] = [];
  const entries: unknown[] = [];
  const headers = (h: Array<[string, string]>) => h.map(([name, value]) => ({ name, value }));
  SESSIONS[mode].visits.forEach((v, i) => {
    clock.advanceMs(4000);
    const pageId = `page_${i + 1}`;
    const started = new Date(Number(clock.ns / 1_000_000n)).toISOString();
    pages.push({ id: pageId, title: v.url, startedDateTime: started, pageTimings: { onContentLoad: 420, onLoad: 900 } });
    entries.push({
      pageref: pageId,
      startedDateTime: started,
      time: 120,
      serverIPAddress: v.ip,
      request: { method: 'GET', url: v.url, httpVersion: 'HTTP/2.0', headers: headers([['user-agent', PHONE.userAgent]]), queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
      response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/2.0', headers: headers([['content-type', 'text/html']]), cookies: [], content: { size: 15, mimeType: 'text/html', text: `<title>${v.title}</title>` }, redirectURL: '', headersSize: -1, bodySize: 15 },
      cache: {},
      timings: { send: 1, wait: 100, receive: 19 },
    });
    clock.advanceMs(800);
    const tsMs = Number(clock.ns / 1_000_000n);
    const body = analyticsBody(analyticsEvents(v, mode, tsMs)).toString('latin1');
    entries.push({
      pageref: pageId,
      startedDateTime: new Date(tsMs).toISOString(),
      time: 350,
      serverIPAddress: ANALYTICS.ip,
      request: {
        method: 'POST',
        url: `https://${ANALYTICS.host}${ANALYTICS.path}`,
        httpVersion: 'HTTP/1.1',
        headers: headers([['User-Agent', PHONE.userAgent], ['Content-Type', 'application/x-www-form-urlencoded']]),
        queryString: [],
        cookies: [],
        headersSize: -1,
        bodySize: body.length,
        postData: { mimeType: 'application/x-www-form-urlencoded', text: body },
      },
      response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: headers([['Content-Type', 'application/json']]), cookies: [], content: { size: 21, mimeType: 'application/json', text: '{"code":0,"msg":"ok"}' }, redirectURL: '', headersSize: -1, bodySize: 21 },
      cache: {},
      timings: { send: 2, wait: 300, receive: 48 },
    });
  });
  const har = { log: { version: '1.2', creator: { name: 'telltale scenario generator', version: '1' }, pages, entries } };
  writeFileSync(path, JSON.stringify(har, null, 1), { flag: 'wx' });
  return path;
}

/** Write all four scenario files into `dir`. */
export function writePhoneScenario(dir: string): { normalPcapng: string; incognitoPcapng: string; normalHar: string; incognitoHar: string } {
  return {
    normalPcapng: writeScenarioPcapng(dir, 'normal'),
    incognitoPcapng: writeScenarioPcapng(dir, 'incognito'),
    normalHar: writeScenarioHar(dir, 'normal'),
    incognitoHar: writeScenarioHar(dir, 'incognito'),
  };
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node tools/synth/scenario-phone.ts <output-dir>');
    process.exit(1);
  }
  console.log(writePhoneScenario(dir));
}
