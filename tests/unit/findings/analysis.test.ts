import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AnalysisCancelled, runAnalysis } from '../../../electron/engine/findings/analysis.ts';
import { setModeLabels } from '../../../electron/engine/findings/modes.ts';
import { iterDevices, iterIdentifiers, iterLeaks, latestRun, analysisRuns } from '../../../electron/engine/findings/queries.ts';
import { parseWatchList, setWatchList } from '../../../electron/engine/findings/watch.ts';
import type { CaseStore } from '../../../electron/engine/store/case-store.ts';
import { dnsRecord, nameRecord, tlsRecord } from '../store/records-fixture.ts';
import { BASE_TS, buildCase, HTML_NAV, HTML_RESPONSE, PHONE_IP, PHONE_MAC, phoneFlow, request, testEnricher } from './fixture.ts';

const ARTICLE = 'http://www.newssite.com/article/42?ref=home';

function leaks(store: CaseStore): Array<{ kind: string; value: string; chain: string; host: string | null; mode: string; frame: number | null; entry: number | null }> {
  return [...iterLeaks(store.db)].map((l) => ({ kind: l.kind, value: l.value, chain: l.chain, host: l.destination.host, mode: l.mode, frame: l.frame, entry: l.entry }));
}

/** Every findings table, as plain rows (for idempotency checks). */
function dump(store: CaseStore): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of ['destinations', 'identifiers', 'identifier_observations', 'devices', 'device_identifiers', 'accounts', 'account_identifiers',
    'device_accounts', 'device_account_evidence', 'pages', 'leaks']) {
    out[t] = store.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).safeIntegers().all();
  }
  out.anomalies = store.db.prepare("SELECT input_id, frame, layer, error FROM anomalies WHERE layer = 'decode' ORDER BY id").all();
  return out;
}

/** A browsing session: a navigation, its own subresource, third-party subresources and a tracker beacon. */
function browsing(): CaseStore {
  return buildCase({
    inputs: ['browse.pcap'],
    flows: [phoneFlow(0, '203.0.113.10')],
    http: [
      request({ at: 1, url: ARTICLE, headers: HTML_NAV, response: HTML_RESPONSE }),
      // Its own image, with the page as Referer: first party, not a leak.
      request({ at: 2, url: 'http://img.newssite.com/a.png', headers: [['Referer', ARTICLE]] }),
      // A third-party script given the full page URL as Referer: the page went to another party.
      request({ at: 3, url: 'http://cdn.othercdn.net/lib.js', headers: [['Referer', ARTICLE]], dstIp: '198.51.100.7' }),
      // Origin-only Referer (the browsers' default policy): names the site, not the page.
      request({ at: 4, url: 'http://cdn.othercdn.net/other.js', headers: [['Referer', 'http://www.newssite.com/']], dstIp: '198.51.100.7' }),
      // A beacon with the page URL percent-encoded in the query and a client id.
      request({ at: 5, url: `http://collect.trackco.org/hit?dl=${encodeURIComponent(ARTICLE)}&cid=1866496610.1510221160&t=pageview`, dstIp: '198.51.100.9' }),
    ],
  });
}

describe('runAnalysis: leaks', () => {
  it('reports a page sent to other parties, not to its own site, and not an origin-only Referer', async () => {
    const store = browsing();
    await runAnalysis(store, { enricher: testEnricher() });
    const l = leaks(store);
    expect(l.filter((x) => x.kind === 'url')).toEqual([
      { kind: 'url', value: ARTICLE, chain: 'header:referer', host: 'cdn.othercdn.net', mode: 'unlabelled', frame: 31, entry: null },
      { kind: 'url', value: ARTICLE, chain: 'query:dl', host: 'collect.trackco.org', mode: 'unlabelled', frame: 51, entry: null },
    ]);
    // The tracker got the client id too (an identifier sent to a listed tracker).
    expect(l.filter((x) => x.kind === 'identifier')).toEqual([
      { kind: 'identifier', value: '1866496610.1510221160', chain: 'query:cid', host: 'collect.trackco.org', mode: 'unlabelled', frame: 51, entry: null },
    ]);
    expect(l).toHaveLength(3);
    const [leak] = [...iterLeaks(store.db)].filter((x) => x.chain === 'query:dl');
    expect(leak).toMatchObject({ page: ARTICLE, pageDomain: 'newssite.com', match: 'exact', where: 'query', excerpt: ARTICLE });
    expect(leak.destination).toMatchObject({ category: 'analytics', operator: 'Track Co', domain: 'trackco.org' });
    store.close();
  });

  it('does not count a host of the page’s own operator as a third party', async () => {
    const page = 'http://www.socialsite.com/plugins/like?href=x';
    const store = buildCase({
      inputs: ['s.pcap'],
      http: [
        request({ at: 1, url: page, headers: HTML_NAV, response: HTML_RESPONSE }),
        request({ at: 2, url: 'http://static.socialcdn.net/rsrc.js', headers: [['Referer', page]] }),
        request({ at: 3, url: 'http://cdn.othercdn.net/x.js', headers: [['Referer', page]] }),
      ],
    });
    await runAnalysis(store, { enricher: testEnricher() });
    expect(leaks(store).map((x) => [x.kind, x.host])).toEqual([['url', 'cdn.othercdn.net']]);
    store.close();
  });

  it('finds search words and URLs of visited pages deep inside encoded payloads, with the chain', async () => {
    const search = 'https://www.google.com/search?q=hiv+test+anonymous';
    const events = [{ properties: { url: search } }, { properties: { query: 'hiv test anonymous' } }];
    const body = `crc=1&gzip=1&data_list=${encodeURIComponent(gzipSync(JSON.stringify(events)).toString('base64'))}`;
    const store = buildCase({
      inputs: ['p.har'],
      http: [
        request({ at: 1, url: search, headers: HTML_NAV, response: HTML_RESPONSE, source: 'har', entry: 0 }),
        request({ at: 2, url: 'https://collect.trackco.org/v1', body, headers: [['Content-Type', 'application/x-www-form-urlencoded']], source: 'har', entry: 1 }),
      ],
    });
    await runAnalysis(store, { enricher: testEnricher() });
    expect(leaks(store)).toEqual([
      { kind: 'url', value: search, chain: 'form:data_list → base64 → gzip → json:$[0].properties.url', host: 'collect.trackco.org', mode: 'unlabelled', frame: null, entry: 1 },
      // The standalone field wins over the same words inside the URL (exact match, shorter chain).
      { kind: 'search', value: 'hiv test anonymous', chain: 'form:data_list → base64 → gzip → json:$[1].properties.query', host: 'collect.trackco.org', mode: 'unlabelled', frame: null, entry: 1 },
    ]);
    const s = [...iterLeaks(store.db)].find((x) => x.kind === 'search');
    expect(s?.otherChains).toContain('form:data_list → base64 → gzip → json:$[0].properties.url → query:q');
    store.close();
  });

  it('counts a page asked for with an upper-case Accept header (no Sec-Fetch headers) as visited', async () => {
    // Header values are case-insensitive media types; the SQL pre-filter once matched
    // only lower-case "text/html" and missed such pages.
    const page = 'http://www.newssite.com/old-browser';
    const store = buildCase({
      inputs: ['old.pcap'],
      http: [
        request({ at: 1, url: page, headers: [['Accept', 'TEXT/HTML,*/*']], response: HTML_RESPONSE }),
        request({ at: 2, url: `http://collect.trackco.org/p?u=${encodeURIComponent(page)}` }),
      ],
    });
    await runAnalysis(store, { enricher: testEnricher() });
    expect(store.db.prepare("SELECT value, source FROM pages WHERE kind = 'url'").all()).toEqual([{ value: page, source: 'navigation' }]);
    expect(leaks(store).map((x) => [x.kind, x.value])).toEqual([['url', page]]);
    store.close();
  });

  it('reports visited sites (SNI, DNS names then connected to) found in payloads, unless a leaked URL already carries them', async () => {
    const store = buildCase({
      inputs: ['tls.pcap'],
      flows: [phoneFlow(0, '203.0.113.50'), phoneFlow(0, '203.0.113.60')],
      http: [
        request({ at: 5, url: `http://collect.trackco.org/a?site=clinic.healthsite.org&ref=${encodeURIComponent('https://www.newssite.com/a/b')}` }),
        request({ at: 6, url: 'http://collect.trackco.org/b?u=https%3A%2F%2Fclinic.healthsite.org%2Fbooking&mentions=prefetched.example.com' }),
      ],
    });
    // TLS to www.newssite.com; DNS for clinic.healthsite.org then a flow to its address; DNS only (prefetch) for another name.
    store.tls(tlsRecord({ ts: BASE_TS + 1_000_000_000n, srcIp: PHONE_IP, dstIp: '203.0.113.60', sni: 'www.newssite.com' }));
    store.dns(dnsRecord({ ts: BASE_TS + 1_000_000_000n, srcIp: PHONE_IP, qname: 'clinic.healthsite.org' }));
    store.dns(dnsRecord({ ts: BASE_TS + 1_010_000_000n, response: true, rcode: 0, qname: 'clinic.healthsite.org', answers: [{ name: 'clinic.healthsite.org', type: 1, ttl: 60, data: '203.0.113.50' }] }));
    store.dns(dnsRecord({ ts: BASE_TS + 1_000_000_000n, srcIp: PHONE_IP, qname: 'prefetched.example.com' }));
    store.dns(dnsRecord({ ts: BASE_TS + 1_010_000_000n, response: true, rcode: 0, qname: 'prefetched.example.com', answers: [{ name: 'prefetched.example.com', type: 1, ttl: 60, data: '203.0.113.99' }] }));
    store.flush();
    const s = await runAnalysis(store, { enricher: testEnricher() });
    // www.newssite.com is in the leaked ref URL (not reported again); the prefetched name was never visited.
    expect(leaks(store).map((x) => [x.kind, x.value, x.chain]).sort()).toEqual([
      ['third-party-url', 'https://clinic.healthsite.org/booking', 'query:u'],
      ['third-party-url', 'https://www.newssite.com/a/b', 'query:ref'],
      ['visited-host', 'clinic.healthsite.org', 'query:site'],
    ]);
    const pages = store.db.prepare('SELECT kind, value, source, leaks FROM pages ORDER BY value').all();
    expect(pages).toEqual([
      { kind: 'site', value: 'healthsite.org', source: 'dns', leaks: 2 },
      { kind: 'site', value: 'newssite.com', source: 'sni', leaks: 1 },
    ]);
    expect(s.comparison.modes.unlabelled).toMatchObject({ pagesVisited: 2, pagesLeaked: 2 });
    store.close();
  });

  it('looks for watched values (URL, words, e-mail, phone) and reports them where they leave the page’s party', async () => {
    const store = buildCase({
      inputs: ['w.pcap'],
      http: [
        // Typed into the site itself: first party, not a leak.
        request({ at: 1, url: 'http://www.newssite.com/contact', body: 'email=bob%40example.net&msg=meet+at+the+clinic', headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Origin', 'http://www.newssite.com']] }),
        // The same values sent on by the page to a tracker, with the page's origin.
        request({ at: 2, url: 'http://collect.trackco.org/e', body: JSON.stringify({ u: 'Bob@Example.net', note: 'we meet at the clinic today', tel: '+49 151 2345 6789', p: 'www.newssite.com/secret-page/' }),
          headers: [['Content-Type', 'application/json'], ['Origin', 'http://www.newssite.com']] }),
      ],
    });
    setWatchList(store.db, parseWatchList('bob@example.net\nat the clinic\n+4915123456789\nhttps://www.newssite.com/secret-page\n'), 'test');
    await runAnalysis(store, { enricher: testEnricher() });
    const watch = leaks(store).filter((x) => x.kind === 'watch');
    expect(watch.map((x) => [x.value, x.chain, x.host]).sort()).toEqual([
      ['+4915123456789', 'json:$.tel', 'collect.trackco.org'],
      ['at the clinic', 'json:$.note', 'collect.trackco.org'],
      ['bob@example.net', 'json:$.u', 'collect.trackco.org'],
      ['https://www.newssite.com/secret-page', 'json:$.p', 'collect.trackco.org'],
    ]);
    store.close();
  });

  it('finds an e-mail inside Basic credentials but never copies the password into a finding', async () => {
    const creds = Buffer.from('alice@example.org:hunter2-secret').toString('base64');
    const store = buildCase({
      inputs: ['a.pcap'],
      http: [request({ at: 1, url: 'http://collect.trackco.org/sync', headers: [['Authorization', `Basic ${creds}`]] })],
    });
    await runAnalysis(store, { enricher: testEnricher() });
    const [leak] = [...iterLeaks(store.db)];
    expect(leak).toMatchObject({ kind: 'identifier', value: 'alice@example.org', chain: 'header:authorization → base64', header: 'authorization', excerpt: 'alice@example.org' });
    const everything = JSON.stringify(dump(store), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    expect(everything).not.toContain('hunter2');
    store.close();
  });

  it('reports a decompression bomb in a request body as an anomaly and carries on', async () => {
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024));
    const store = buildCase({
      inputs: ['b.pcap'],
      http: [
        request({ at: 1, url: 'http://collect.trackco.org/upload', body: bomb, headers: [['Content-Type', 'application/octet-stream']] }),
        request({ at: 2, url: `http://collect.trackco.org/hit?dl=${encodeURIComponent(ARTICLE)}`, headers: [['Referer', 'http://www.newssite.com/']] }),
      ],
    });
    const before = process.memoryUsage().rss;
    const s = await runAnalysis(store, { enricher: testEnricher() });
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    expect(s.decodeAnomalies).toBeGreaterThan(0);
    const anomalies = store.db.prepare("SELECT input_id, frame, layer, error FROM anomalies WHERE layer = 'decode'").all() as Array<{ frame: number; error: string }>;
    expect(anomalies[0].frame).toBe(11);
    expect(anomalies[0].error).toMatch(/^HTTP request in frame 11: body: gzip .*(bomb|expansion|cap)/);
    // The request after it was still analysed.
    expect(s.requests).toBe(2);
    expect(leaks(store).map((x) => x.chain)).toEqual(['query:dl']);
    store.close();
  });
});

describe('runAnalysis: identifiers, devices, accounts', () => {
  function appCase(): CaseStore {
    const ids = (extra: Record<string, unknown>): string => JSON.stringify({ android_id: '9774d56d682e549c', account: 'alice@example.org', user_id: 'u-6254731980', ...extra });
    return buildCase({
      inputs: ['phone.pcap', 'proxy.har', 'later.pcap'],
      flows: [phoneFlow(0, '198.51.100.9'), phoneFlow(0, '192.168.1.1', { proto: 'udp', dstPort: 53 })],
      names: [nameRecord({ input: 1, ts: BASE_TS, ip: PHONE_IP, mac: PHONE_MAC, name: 'Pixel-7', source: 'dhcp' })],
      http: [
        request({ at: 1, url: 'http://collect.trackco.org/a', body: ids({ event_id: '11111111-2222-4333-8444-555555555555' }), headers: [['Content-Type', 'application/json'], ['User-Agent', 'Dalvik/2.1.0 (Linux; U; Android 14; Pixel 7 Build/UQ1A)']] }),
        request({ at: 2, url: 'https://collect.trackco.org/b', body: ids({ device: 'x' }), headers: [['Content-Type', 'application/json']], input: 2, source: 'har', entry: 0 }),
        // Another capture of the same network without link-layer addresses: the phone by its IP only, two hours later.
        request({ at: 7200, url: 'http://collect.trackco.org/c?uuid=0f8fad5b-d9cb-469f-a165-70867728950e', input: 3 }),
        request({ at: 7201, url: 'http://collect.trackco.org/d?x=0f8fad5b-d9cb-469f-a165-70867728950e', input: 3 }),
      ],
    });
  }

  it('extracts identifiers once per value, with kind, scope, persistence and observations', async () => {
    const store = appCase();
    await runAnalysis(store, { enricher: testEnricher() });
    const ids = [...iterIdentifiers(store.db)];
    expect(ids.map((i) => [i.value, i.kind, i.scope, i.basis])).toEqual([
      ['9774d56d682e549c', 'android_id', 'device', 'key'],
      ['alice@example.org', 'account', 'account', 'key'],
      ['u-6254731980', 'user_id', 'account', 'key'],
      ['0f8fad5b-d9cb-469f-a165-70867728950e', 'uuid', 'device', 'key'],
    ]);
    // The one-off event UUID (shape only, one request) is not an identifier.
    expect(ids.some((i) => i.value.startsWith('11111111'))).toBe(false);
    const android = ids[0];
    expect(android).toMatchObject({ observationCount: 2, requests: 2, inputs: [1, 2], persistent: true, persistence: ['inputs'] });
    expect(android.observations.map((o) => [o.input, o.frame, o.entry, o.chain, o.where, o.destHost])).toEqual([
      [1, 11, null, 'json:$.android_id', 'body', 'collect.trackco.org'],
      [2, null, 0, 'json:$.android_id', 'body', 'collect.trackco.org'],
    ]);
    // Seen under its key once and by value once; two sessions two hours apart.
    expect(ids[3]).toMatchObject({ requests: 2, sessions: 1, keys: ['uuid', 'x'] });
    store.close();
  });

  it('merges endpoints into one device (MAC, its IP, a shared device id) and links the account with its requests', async () => {
    const store = appCase();
    const s = await runAnalysis(store, { enricher: testEnricher() });
    expect(s.devices).toBe(1);
    const [d] = [...iterDevices(store.db)];
    expect(d).toMatchObject({ label: 'Pixel 7', macs: [PHONE_MAC], ips: [PHONE_IP], model: 'Pixel 7', os: 'android', osVersion: '14' });
    expect(d.names.map((n) => [n.name, n.source])).toEqual([['Pixel-7', 'dhcp']]);
    expect(d.endpoints).toEqual(['har:2', `ip:${PHONE_IP}`, `mac:${PHONE_MAC}`]);
    expect(d.identifiers.map((i) => i.kind).sort()).toEqual(['account', 'android_id', 'user_id', 'uuid']);
    const accounts = store.db.prepare('SELECT label, requests FROM accounts').all();
    expect(accounts).toEqual([{ label: 'alice@example.org', requests: 2 }]);
    const ev = store.db.prepare('SELECT input_id, frame, entry FROM device_account_evidence ORDER BY ts_ns').all();
    expect(ev).toEqual([{ input_id: 1, frame: 11, entry: null }, { input_id: 2, frame: null, entry: 0 }]);
    store.close();
  });
});

describe('runAnalysis: reruns', () => {
  it('is idempotent and follows changed mode labels', async () => {
    const store = browsing();
    await runAnalysis(store, { enricher: testEnricher() });
    const first = dump(store);
    await runAnalysis(store, { enricher: testEnricher(), pageSize: 1 });
    expect(dump(store)).toEqual(first);
    setModeLabels(store.db, [{ mode: 'incognito', input: 'browse.pcap' }]);
    const s = await runAnalysis(store, { enricher: testEnricher() });
    expect(new Set(leaks(store).map((x) => x.mode))).toEqual(new Set(['incognito']));
    expect(s.comparison.modes.incognito).toMatchObject({ pagesVisited: 1, pagesLeaked: 1, leakRatio: 1 });
    expect(s.comparison.modes.normal).toMatchObject({ pagesVisited: 0, requests: 0 });
    expect(latestRun(store.db)?.id).toBe(s.runId);
    store.close();
  });

  it('leaves the previous findings in place when cancelled', async () => {
    const store = browsing();
    await runAnalysis(store, { enricher: testEnricher() });
    const before = dump(store);
    const ac = new AbortController();
    setModeLabels(store.db, [{ mode: 'normal', input: 'browse.pcap' }]);
    await expect(runAnalysis(store, {
      enricher: testEnricher(), pageSize: 1, signal: ac.signal,
      onProgress: (p) => { if (p.phase === 'requests' && p.done === 2) ac.abort(); },
    })).rejects.toBeInstanceOf(AnalysisCancelled);
    expect(dump(store)).toEqual(before);
    expect(analysisRuns(store.db).map((r) => r.status)).toEqual(['done', 'cancelled']);
    expect(store.db.inTransaction).toBe(false);
    store.close();
  });
});
