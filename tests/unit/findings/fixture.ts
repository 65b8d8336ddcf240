/**
 * Small cases for findings tests: a store fed with hand-built records, and an enricher
 * with a test tracker list and no geo databases (so results do not depend on the
 * packaged data; the scenario test checks those against the real databases).
 */
import { join } from 'node:path';
import { createEnricher, type Enricher } from '../../../electron/engine/enrich/enricher.ts';
import { TrackerIndex } from '../../../electron/engine/enrich/trackers.ts';
import type { FlowRecord, HeaderList, HttpRecord, NameRecord } from '../../../electron/engine/records.ts';
import { CaseStore } from '../../../electron/engine/store/case-store.ts';
import { flowRecord, httpRecord, summary, tempDir } from '../store/records-fixture.ts';

const SOURCE = 'https://example.org/test-list';

/** Listed hosts: an analytics tracker, and two domains of one operator (a site and its CDN). */
export const TEST_TRACKERS = new TrackerIndex([
  { domain: 'trackco.org', category: 'analytics', operator: 'Track Co', country: 'US', source: SOURCE, checked: true },
  { domain: 'socialsite.com', category: 'social', operator: 'Social Co', country: 'US', source: SOURCE, checked: true },
  { domain: 'socialcdn.net', category: 'cdn', operator: 'Social Co', country: 'US', source: SOURCE, checked: true },
]);

/** An enricher over the test tracker list, without geo databases. */
export function testEnricher(): Enricher {
  return createEnricher({ trackers: TEST_TRACKERS, countryDb: null, whoisCountryDb: null, asnDb: null, cacheDir: null });
}

export const BASE_TS = 1_587_459_600_000_000_000n;
const SEC = 1_000_000_000n;
export const PHONE_MAC = '3c:bd:3e:5a:10:23';
export const PHONE_IP = '192.168.1.23';

export interface RequestSpec {
  at: number;
  method?: string;
  url: string;
  headers?: HeaderList;
  body?: Buffer | string | null;
  response?: HeaderList | null;
  input?: number;
  frame?: number | null;
  entry?: number | null;
  srcIp?: string;
  dstIp?: string;
  source?: 'tcp' | 'har';
}

/** An HTTP record for `spec` (time in seconds after BASE_TS). */
export function request(spec: RequestSpec): HttpRecord {
  const u = new URL(spec.url);
  const body = spec.body === undefined || spec.body === null ? null : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body);
  const source = spec.source ?? 'tcp';
  return httpRecord({
    input: spec.input ?? 1,
    frame: source === 'har' ? null : (spec.frame ?? Math.round(spec.at * 10) + 1),
    entry: source === 'har' ? (spec.entry ?? 0) : null,
    ts: BASE_TS + BigInt(Math.round(spec.at * 1000)) * 1_000_000n,
    srcIp: source === 'har' ? '' : (spec.srcIp ?? PHONE_IP),
    srcPort: source === 'har' ? 0 : 40000,
    dstIp: spec.dstIp ?? '203.0.113.10',
    dstPort: u.protocol === 'https:' ? 443 : 80,
    method: spec.method ?? (body ? 'POST' : 'GET'),
    host: u.host,
    uri: `${u.pathname}${u.search}`,
    requestHeaders: [['Host', u.host], ...(spec.headers ?? [])],
    requestBody: body,
    requestBodySize: body?.length ?? 0,
    responseHeaders: spec.response === undefined ? [['Content-Type', 'text/plain']] : spec.response,
    responseFrame: null,
    source,
    serverIp: source === 'har' ? (spec.dstIp ?? '203.0.113.10') : null,
  });
}

/** A client flow from the phone (so its MAC is known). */
export function phoneFlow(at: number, dstIp: string, o: Partial<FlowRecord> = {}): FlowRecord {
  return flowRecord({ srcIp: PHONE_IP, srcMac: PHONE_MAC, dstIp, firstTs: BASE_TS + BigInt(at) * SEC, lastTs: BASE_TS + BigInt(at + 1) * SEC, ...o });
}

export interface CaseSpec {
  inputs: string[];
  http?: HttpRecord[];
  flows?: FlowRecord[];
  names?: NameRecord[];
}

/** A case in a temp directory holding the given records (open; close it in the test). */
export function buildCase(spec: CaseSpec): CaseStore {
  const store = CaseStore.open(join(tempDir(), 'case.db'), { create: true });
  for (const name of spec.inputs) store.addInput(join('/captures', name));
  for (const f of spec.flows ?? []) store.flow(f);
  for (const n of spec.names ?? []) store.name(n);
  for (const h of spec.http ?? []) store.http(h);
  store.flush();
  // Each input its own hash: two inputs with one SHA-256 are one file imported twice (a duplicate).
  spec.inputs.forEach((name, i) => store.finishInput(i + 1, summary({ format: name.endsWith('.har') ? 'har' : 'pcap', sha256: (i + 1).toString(16).padStart(64, '0') })));
  return store;
}

export const HTML_NAV: HeaderList = [['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'], ['Sec-Fetch-Dest', 'document'], ['Sec-Fetch-Mode', 'navigate']];
export const HTML_RESPONSE: HeaderList = [['Content-Type', 'text/html; charset=utf-8']];
