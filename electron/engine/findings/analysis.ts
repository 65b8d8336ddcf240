/**
 * The findings pass: reads a case's records and (re)builds what they mean — decoded
 * request contents, identifiers, devices and accounts, destinations, visited pages,
 * leaks and the incognito/normal comparison. It runs after every import (in the import
 * worker) and whenever mode labels or the watch list change.
 *
 * Idempotent and atomic: the derived tables are emptied and rebuilt inside one
 * transaction, so a reader sees the old findings or the new ones, never a mix, and a
 * failed or cancelled run leaves the previous findings in place. It streams: HTTP
 * requests are read page by page with their bodies and written in the same pass; only
 * one aggregate per distinct identifier, endpoint, destination and page stays in memory,
 * with bounded memos of per-value work that comes back request after request (decoded
 * query strings, headers and cookies, host names, URLs and words read from values).
 */
import type Database from 'better-sqlite3';
import { CandidateIndex, partyOf, type Candidate, type Sighting } from './candidates.ts';
import { comparisonOf, type ModeComparisonSet } from './comparison.ts';
import { DestinationBook, destKey, flowsByModeAndDestination } from './destinations.ts';
import { BoundedMemo } from './memo.ts';
import { htmlResponse, navigationByHeaders, searchWords } from './navigation.ts';
import { modeResolver, setModeLabels, type ModeLabelSpec, type ModeResolver, type RecordMode } from './modes.ts';
import { decodeHeaderFields, decodeRequest, FieldMemo, headerValue, SECRET_HEADERS, type DecodedRequest } from './request-decode.ts';
import { displayUrl, parseUrlLike, type UrlParts } from './url-forms.ts';
import { getWatchList, setWatchList, type WatchValue } from './watch.ts';
import { checkEmail } from '../correlate/identifiers.ts';
import { EntityBook, endpointKey, usableMac } from '../correlate/entities.ts';
import { IdentifierBook, persistenceOf, type IdentifierAgg, type RequestIdentifier } from '../correlate/identifier-book.ts';
import type { DecodeLimits } from '../decode/types.ts';
import { createEnricher, type Enricher, type EnrichmentDatabase, type HostDescription } from '../enrich/enricher.ts';
import { decodeBody, type BodyCodec } from '../store/body-codec.ts';
import type { CaseStore } from '../store/case-store.ts';
import { hostHeaderName } from '../store/host-links.ts';
import { toolString } from '../store/tool-info.ts';
import { writeViewSummaries } from '../store/view-summaries.ts';
import type { HeaderList } from '../records.ts';
import { parse as parseDomain } from 'tldts';

export interface AnalysisProgress {
  phase: 'candidates' | 'requests' | 'entities' | 'destinations' | 'comparison';
  done: number;
  total: number;
}

export interface AnalysisOptions {
  /** Enrichment (geo, ASN, registrable domains, tracker list); default createEnricher(). */
  enricher?: Enricher;
  /** Replace the case's mode labels before running (stored, see setModeLabels); default: the stored labels. */
  modes?: readonly ModeLabelSpec[];
  /** Replace the case's watch list before running (stored); default: the stored list. */
  watch?: readonly WatchValue[];
  signal?: AbortSignal;
  onProgress?: (p: AnalysisProgress) => void;
  /** Decoding limits per field (defaults: decode/types.ts). */
  limits?: DecodeLimits;
  /** Requests read per page (default 256). */
  pageSize?: number;
  /** Directory relative input labels are resolved against (default process.cwd()). */
  cwd?: string;
}

export interface AnalysisSummary {
  runId: number;
  durationMs: number;
  requests: number;
  leaks: number;
  identifiers: number;
  devices: number;
  accounts: number;
  links: number;
  destinations: number;
  pages: number;
  decodeAnomalies: number;
  /** Mode labels that named no input of the case. */
  unmatchedLabels: string[];
  databases: EnrichmentDatabase[];
  comparison: ModeComparisonSet;
}

/** Thrown when the signal aborts a run; the previous findings stay. */
export class AnalysisCancelled extends Error {
  override name = 'AnalysisCancelled';
}

/** Derived tables, emptied at the start of every run (children first). */
export const DERIVED_TABLES: readonly string[] = ['device_account_evidence', 'device_accounts', 'account_identifiers', 'accounts', 'device_identifiers', 'devices',
  'leaks', 'identifier_observations', 'identifiers', 'pages', 'destinations'];

/** Columns of a leak row as the request pass writes it (the row id aside). */
const LEAK_COLUMNS = `ts_ns, kind, value, chain, excerpt, location, header, match, other_chains, http_id, input_id, frame, entry, mode, page,
  page_domain, dest_host, dest_ip, dest_domain, country, whois_country, asn, org, category, operator, identifier_id`;
/** Connection-private table the leaks of a run are collected in (see the request pass). */
const LEAK_STAGE = 'findings_leak_stage';

/** Leaks per request kept of one kind and value: the best sighting, plus this many other chains. */
const MAX_OTHER_CHAINS = 5;
const EXCERPT = 60;

interface HttpRow {
  id: number;
  input_id: number;
  frame: number | null;
  entry: number | null;
  ts: string;
  src_ip: string;
  dst_ip: string;
  dst_port: number;
  source: 'tcp' | 'har';
  method: string;
  host: string | null;
  uri: string;
  version: string;
  request_headers: string;
  request_body: Buffer | null;
  request_body_codec: BodyCodec | null;
  request_body_size: number;
  /** Read for HAR entries only: it is the last column, and reaching it walks past the stored response body. */
  server_ip: string | null;
}

interface PageAgg {
  kind: 'url' | 'site';
  /** URL key (url pages) or registrable domain (site pages). */
  value: string;
  /** What is stored and shown: the URL as first seen, or the domain. */
  display: string;
  host: string | null;
  domain: string | null;
  mode: RecordMode;
  source: string;
  ts: bigint;
  input: number | null;
  frame: number | null;
  entry: number | null;
  httpId: number | null;
}

interface HarPageCtx {
  ts: bigint;
  url: UrlParts | null;
}

/** The URL a request asked for, rebuilt from Host and request target (scheme from the port for dissected traffic). */
export function requestUrl(host: string | null, uri: string, dstPort: number, source: 'tcp' | 'har', dstIp: string): UrlParts | null {
  if (/^https?:\/\//i.test(uri)) return parseUrlLike(uri);
  const h = host ?? (dstIp.includes(':') ? `[${dstIp}]` : dstIp);
  if (h.length === 0) return null;
  const scheme = dstPort === 443 || (source === 'har' && dstPort !== 80) ? 'https' : 'http';
  return parseUrlLike(`${scheme}://${h}${uri.startsWith('/') ? uri : `/${uri}`}`);
}

function yieldNow(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

function excerptOf(s: Sighting, value: string): string {
  if (s.leaf.header !== null && SECRET_HEADERS.has(s.leaf.header)) {
    // Never copy credentials around the value into findings: only the value itself.
    return s.start >= 0 ? s.text.slice(s.start, s.end) : value;
  }
  const text = s.text;
  if (s.start < 0) return text.length > 2 * EXCERPT ? `${text.slice(0, 2 * EXCERPT)}…` : text;
  const a = Math.max(0, s.start - EXCERPT);
  const b = Math.min(text.length, s.end + EXCERPT);
  return `${a > 0 ? '…' : ''}${text.slice(a, b)}${b < text.length ? '…' : ''}`;
}

/**
 * Run the findings analysis over the whole case and replace its findings. Resolves
 * with a summary; rejects with AnalysisCancelled when `signal` aborts (nothing changes).
 */
export async function runAnalysis(target: CaseStore | Database.Database, opts: AnalysisOptions = {}): Promise<AnalysisSummary> {
  const db: Database.Database = 'flush' in target ? target.db : target;
  if ('flush' in target) target.flush();
  const started = new Date();
  const t0 = performance.now();
  const enricher = opts.enricher ?? createEnricher();
  const signal = opts.signal;
  const progress = opts.onProgress ?? (() => undefined);
  const pageSize = Math.max(1, opts.pageSize ?? 256);
  const check = (): void => {
    if (signal?.aborted) throw new AnalysisCancelled('analysis cancelled');
  };

  if (opts.modes !== undefined) setModeLabels(db, opts.modes);
  if (opts.watch !== undefined) setWatchList(db, opts.watch, 'runAnalysis option');
  const modes = modeResolver(db, opts.cwd);
  const watch = getWatchList(db);
  const inputs = new Map<number, { fileName: string; format: string | null }>();
  for (const r of db.prepare('SELECT id, file_name AS fileName, format FROM inputs').all() as Array<{ id: number; fileName: string; format: string | null }>) {
    inputs.set(r.id, { fileName: r.fileName, format: r.format });
  }
  const inputName = (id: number): string => inputs.get(id)?.fileName ?? `input-${id}`;

  check();
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const t of DERIVED_TABLES) db.exec(`DELETE FROM ${t}`);
    db.exec("DELETE FROM anomalies WHERE layer = 'decode'");

    // The address databases are first needed by the request pass: their files are read
    // while the candidates are gathered.
    const geoReady = enricher.prepare();

    // ---- candidates: visited pages, search words, visited sites, watch list ----------
    progress({ phase: 'candidates', done: 0, total: 1 });
    const index = new CandidateIndex((h) => enricher.trackerOf(h)?.operator ?? null);
    const pages = new Map<string, PageAgg>();
    const addPage = (p: PageAgg): void => {
      const k = `${p.kind}\u0000${p.value}\u0000${p.mode}`;
      const have = pages.get(k);
      // The earliest sighting wins; at the same time, one that points at a request.
      if (!have || p.ts < have.ts || (p.ts === have.ts && have.httpId === null && p.httpId !== null)) pages.set(k, p);
    };
    const addVisitedUrl = (u: UrlParts, source: string, mode: RecordMode, ts: bigint, input: number, frame: number | null, entry: number | null, httpId: number | null): void => {
      const cand = index.addUrl(u, 'url');
      addPage({ kind: 'url', value: cand.pageKey as string, display: displayUrl(u), host: u.host, domain: cand.domain, mode, source, ts, input, frame, entry, httpId });
      for (const w of searchWords(u, cand.domain)) index.addWords(w, 'search', cand.page, cand.pageKey, cand.domain, cand.operator);
    };
    const headerBook = new HeaderMemo();
    const hostNames = new Memo(hostHeaderName);
    // Navigations that their response decided (isNavigation), by request id: the candidate
    // pass reads them first, the request pass reads the response again past the first ones.
    const navByResponse = new Map<number, boolean>();
    const harPages = candidatesFromRequests(db, modes, headerBook, hostNames, navByResponse, addVisitedUrl);
    visitedSites(db, modes, enricher, index, addPage);
    for (const w of watch) addWatch(index, w);
    progress({ phase: 'candidates', done: 1, total: 1 });
    check();

    // ---- requests: decode, identifiers, leaks ----------------------------------------
    await geoReady;
    check();
    const total = db.prepare('SELECT count(*) FROM http').pluck().get() as number;
    const book = new IdentifierBook(db);
    const entities = new EntityBook();
    const dests = new DestinationBook();
    const clients = clientFlowGroups(db, modes);
    const macs = macByInputIp(clients);
    // Per-request work that depends only on a repeated value is done once per value.
    const senders = new Map<string, string>();
    const senderKey = (input: number, ip: string): string => {
      const k = `${input}|${ip}`;
      let e = senders.get(k);
      if (e === undefined) senders.set(k, (e = endpointKey(macs.get(k) ?? null, ip)));
      return e;
    };
    const pageRefs = new Memo(pageRef);
    // Few requests need their response's headers (see pageContext): read one by one when asked for.
    const responseHeadersOf = db.prepare('SELECT response_headers FROM http WHERE id = ?').pluck();
    // Leaks wait in a scratch table until the identifiers they name are written: while
    // identifier rows are missing, SQLite checks every new identifier row against all
    // leaks (a full scan each, leaks.identifier_id has no index); an empty leaks table
    // makes that free. Row ids carry over, so the leaks are the same rows as if written
    // directly.
    db.exec(`DROP TABLE IF EXISTS temp.${LEAK_STAGE}`);
    db.exec(`CREATE TEMP TABLE ${LEAK_STAGE} AS SELECT ${LEAK_COLUMNS} FROM main.leaks WHERE 0`);
    const insLeak = db.prepare(`INSERT INTO temp.${LEAK_STAGE} (${LEAK_COLUMNS})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insAnomaly = db.prepare("INSERT INTO anomalies (input_id, frame, layer, error) VALUES (?, ?, 'decode', ?)");
    const fieldMemo = new FieldMemo();
    const leakedPageKeys = new Map<string, number>();
    const leakedParties = new Map<string, number>();
    const modeBytes = new Map<string, { har: number; byDest: Map<string, number> }>();
    const receivers = new Map<string, Set<string>>();
    const resourceParties = new Set<string>();
    let leakCount = 0;
    let anomalyCount = 0;
    let done = 0;
    const page = db.prepare(`SELECT id, input_id, frame, entry, CAST(ts_ns AS TEXT) AS ts, src_ip, dst_ip, dst_port, source, method, host, uri,
      version, request_headers, request_body, request_body_codec, request_body_size,
      CASE WHEN source = 'har' THEN server_ip END AS server_ip
      FROM http WHERE (ts_ns, id) > (?, ?) ORDER BY ts_ns, id LIMIT ?`);
    let lastTs = -(2n ** 63n);
    let lastId = -1;
    for (;;) {
      const rows = page.all(lastTs, lastId, pageSize) as HttpRow[];
      for (const r of rows) {
        try {
          const ts = BigInt(r.ts);
          const tsMs = Number(ts / 1_000_000n);
          const rh = headerBook.of(r.request_headers);
          const headers = rh.list;
          const mode = modes.modeOf(r.input_id, ts);
          const host = r.host !== null ? hostNames.of(r.host) : null;
          const ip = r.source === 'har' ? (r.server_ip ?? (r.dst_ip || null)) : r.dst_ip || null;
          const dKey = destKey(ip, host);
          const destParty = partyOf(host) ?? ip;
          const harBytes = r.source === 'har' ? r.request_body_size : 0;
          const dest = dests.request(dKey, ip, host, ts, harBytes);
          if (harBytes > 0) {
            let mb = modeBytes.get(mode);
            if (!mb) modeBytes.set(mode, (mb = { har: 0, byDest: new Map() }));
            mb.har += harBytes;
            mb.byDest.set(dKey, (mb.byDest.get(dKey) ?? 0) + harBytes);
          }
          const epKey = r.source === 'har' ? `har:${r.input_id}` : senderKey(r.input_id, r.src_ip);
          if (r.source === 'har') entities.endpoint(epKey).harFile ??= inputName(r.input_id);

          let body: Buffer | null = null;
          if (r.request_body !== null && r.request_body_codec !== null) {
            try {
              body = decodeBody(r.request_body_codec, r.request_body);
            } catch (e) {
              insAnomaly.run(r.input_id, r.frame, `${where(r)}: stored request body unreadable: ${e instanceof Error ? e.message : String(e)}`);
              anomalyCount++;
            }
          }
          const decoded = r.method === 'CONNECT' ? { leaves: [], anomalies: [] }
            : decodeRequest({ uri: r.uri, headers, body }, opts.limits, fieldMemo, headerBook.fields(rh, opts.limits, fieldMemo));
          for (const a of decoded.anomalies) {
            const at = a.chain === a.where || a.chain.startsWith(`${a.where}:`) ? a.chain : `${a.where} ${a.chain}`;
            insAnomaly.run(r.input_id, r.frame, `${where(r)}: ${at}: ${a.error}`);
            anomalyCount++;
          }
          const leaves = decoded.leaves;
          const ctxBase = {
            httpId: r.id, input: r.input_id, frame: r.frame, entry: r.entry, ts, tsMs, mode, endpoint: epKey,
            destHost: host, destIp: ip,
          };
          const ids = leaves.length > 0 ? book.observe(leaves, ctxBase) : [];
          for (const x of ids) dest.identifiers.add(x.agg.id);
          if (rh.userAgent === undefined) rh.userAgent = headerValue(headers, 'user-agent');
          entities.request(epKey, r.source === 'tcp' ? r.src_ip : '', ts, r.input_id, mode, rh.userAgent, ids);

          const pageCtx = pageContext(r, rh, harPages, pageRefs, hostNames, () => {
            const known = navByResponse.get(r.id);
            if (known !== undefined) return known;
            const text = responseHeadersOf.get(r.id) as string | null | undefined;
            return htmlResponse(typeof text === 'string' ? JSON.parse(text) as HeaderList : null);
          });
          // A party that serves requests made from another site's pages is a resource host, not a site the user visited.
          if (!pageCtx.navigation && pageCtx.party !== null && destParty !== null && pageCtx.party !== destParty) resourceParties.add(destParty);
          if (leaves.length > 0) {
            const destInfo = leakDestination(enricher, host, ip);
            const sightings = index.urlSightings(leaves, destParty, destInfo.operator, (u, cand) => {
              for (const w of searchWords(u, cand.domain)) index.addWords(w, 'search', cand.page, cand.pageKey, cand.domain, cand.operator);
            });
            for (const s of index.textSightings(leaves)) sightings.push(s);
            for (const s of identifierSightings(ids, pageCtx.url)) sightings.push(s);
            const leaks = chooseLeaks(sightings, destParty, destInfo.operator, destInfo.category !== null, pageCtx.party);
            for (const l of leaks) {
              const s = l.best;
              const identifierId = s.cand.kind === 'identifier' ? (ids.find((x) => x.agg.value === s.cand.value)?.agg.id ?? null) : null;
              insLeak.run(ts, s.cand.kind, s.cand.value, s.leaf.chain, excerptOf(s, s.cand.value), s.leaf.where, s.leaf.header, s.match,
                JSON.stringify(l.others), r.id, r.input_id, r.frame, r.entry, mode, s.cand.page, s.cand.domain, host, ip,
                destInfo.domain, destInfo.country, destInfo.whoisCountry, destInfo.asn, destInfo.org, destInfo.category,
                destInfo.operator, identifierId);
              leakCount++;
              dest.leaks++;
              let rc = receivers.get(mode);
              if (!rc) receivers.set(mode, (rc = new Set()));
              rc.add(dKey);
              if (s.cand.pageKey !== null) leakedPageKeys.set(s.cand.pageKey, (leakedPageKeys.get(s.cand.pageKey) ?? 0) + 1);
              if (s.cand.kind !== 'identifier' && s.cand.domain !== null && (s.cand.kind !== 'watch' || s.cand.page !== null)) {
                leakedParties.set(s.cand.domain, (leakedParties.get(s.cand.domain) ?? 0) + 1);
              }
            }
          }
        } catch (e) {
          // One request the rules trip over must not cost the case its findings: note it and go on.
          insAnomaly.run(r.input_id, r.frame, `${where(r)}: not analysed: ${e instanceof Error ? e.message : String(e)}`);
          anomalyCount++;
        }
        done++;
      }
      if (rows.length > 0) {
        const tail = rows[rows.length - 1];
        lastTs = BigInt(tail.ts);
        lastId = tail.id;
      }
      progress({ phase: 'requests', done, total });
      if (rows.length < pageSize) break;
      await yieldNow();
      check();
    }

    // ---- identifiers, devices, accounts -----------------------------------------------
    progress({ phase: 'entities', done: 0, total: 1 });
    const kept = new Map<number, IdentifierAgg>();
    const delLeaks = db.prepare(`DELETE FROM temp.${LEAK_STAGE} WHERE identifier_id = ?`);
    for (const a of book.all()) {
      if (book.kept(a)) {
        kept.set(a.id, a);
        continue;
      }
      book.dropObservations(a.id);
      // Only device and account identifiers make leaks, and those are never dropped; kept for safety.
      if (a.scope !== 'other') leakCount -= delLeaks.run(a.id).changes;
    }
    const insIdent = db.prepare(`INSERT INTO identifiers (id, value, kind, kinds, scope, basis, keys, observations, requests, first_ts_ns,
      last_ts_ns, inputs, modes, sessions, destinations, persistent, persistence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const a of kept.values()) {
      const why = persistenceOf(a);
      insIdent.run(a.id, a.value, a.kind, JSON.stringify([...a.kinds].sort()), a.scope, a.basis, JSON.stringify([...a.keys]),
        a.observations, a.requests, a.firstTs, a.lastTs, JSON.stringify([...a.inputs].sort((x, y) => x - y)),
        JSON.stringify([...a.modes].sort()), a.sessions, JSON.stringify([...a.dests].sort()), why.length > 0 ? 1 : 0, JSON.stringify(why));
    }
    book.moveObservations();
    db.exec(`INSERT INTO main.leaks (id, ${LEAK_COLUMNS}) SELECT rowid, ${LEAK_COLUMNS} FROM temp.${LEAK_STAGE} ORDER BY rowid`);
    db.exec(`DROP TABLE temp.${LEAK_STAGE}`);
    await yieldNow();
    check();
    for (const g of clients) entities.flows(g.mac, g.ip, g.input, g.mode, g.flows, g.bytesOut, g.first, g.last);
    for (const n of db.prepare(`SELECT input_id, frame, CAST(ts_ns AS TEXT) AS ts, ip, mac, name, source, vendor_class
      FROM names ORDER BY ts_ns, id`).iterate() as Iterable<Record<string, unknown>>) {
      entities.name({
        name: n.name as string, source: n.source as string, ts: BigInt(n.ts as string), input: n.input_id as number,
        frame: n.frame as number | null, vendorClass: n.vendor_class as string | null, ip: n.ip as string | null, mac: n.mac as string | null,
      });
    }
    const ent = entities.write(db, kept, inputName);
    progress({ phase: 'entities', done: 1, total: 1 });
    await yieldNow();
    check();

    // ---- destinations, pages, comparison ---------------------------------------------
    progress({ phase: 'destinations', done: 0, total: 1 });
    const destFlows = flowsByModeAndDestination(db, modes);
    const destCount = dests.write(db, enricher, destFlows);
    const pageCount = writePages(db, pages, leakedPageKeys, leakedParties, resourceParties);
    progress({ phase: 'destinations', done: 1, total: 1 });
    progress({ phase: 'comparison', done: 0, total: 1 });
    const comparison = comparisonOf(db, modes, modeBytes, receivers, destFlows);
    progress({ phase: 'comparison', done: 1, total: 1 });
    check();

    const databases = safeDatabases(enricher);
    const durationMs = Math.round(performance.now() - t0);
    const unmatchedLabels = modes.unmatched.map((l) => `${l.mode}:${l.inputRef ?? l.inputId}`);
    const counts = {
      requests: done, leaks: leakCount, identifiers: kept.size, devices: ent.devices, accounts: ent.accounts, links: ent.links,
      destinations: destCount, pages: pageCount, decodeAnomalies: anomalyCount,
    };
    const options = {
      labels: modes.labelled ? db.prepare('SELECT mode, input_id AS input, input_ref AS inputRef, CAST(start_ns AS TEXT) AS startNs, CAST(end_ns AS TEXT) AS endNs FROM mode_labels ORDER BY id').all() : [],
      unmatchedLabels,
      watchValues: watch.length,
    };
    const run = db.prepare(`INSERT INTO analysis_runs (started_at, finished_at, status, tool, duration_ms, databases, options, counts, comparison)
      VALUES (?, ?, 'done', ?, ?, ?, ?, ?, ?)`).run(started.toISOString(), new Date().toISOString(), toolString(), durationMs,
      JSON.stringify(databases), JSON.stringify(options), JSON.stringify(counts), JSON.stringify(comparison));
    // Last, so their stamp names this run: the views' summaries of what it leaves behind.
    writeViewSummaries(db);
    db.exec('COMMIT');
    return { runId: Number(run.lastInsertRowid), durationMs, ...counts, unmatchedLabels, databases, comparison };
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    const cancelled = e instanceof AnalysisCancelled;
    try {
      db.prepare(`INSERT INTO analysis_runs (started_at, finished_at, status, tool, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(started.toISOString(), new Date().toISOString(), cancelled ? 'cancelled' : 'failed', toolString(),
          Math.round(performance.now() - t0), e instanceof Error ? e.message : String(e));
    } catch {
      // The run log is best effort; the error itself is what the caller must see.
    }
    throw e;
  }
}

function where(r: HttpRow): string {
  return r.frame !== null ? `HTTP request in frame ${r.frame}` : `HAR entry ${r.entry ?? '?'}`;
}

function safeDatabases(enricher: Enricher): EnrichmentDatabase[] {
  try {
    return enricher.databases();
  } catch (e) {
    return [{ name: 'enrichment databases unavailable', source: e instanceof Error ? e.message : String(e), licence: '', attribution: null, version: null, date: null, path: '' }];
  }
}

/** What a leak row records about its destination: the request's host and address, enriched. */
function leakDestination(enricher: Enricher, host: string | null, ip: string | null): {
  domain: string | null; country: string | null; whoisCountry: string | null; asn: number | null; org: string | null;
  category: string | null; operator: string | null;
} {
  const h = host !== null ? enricher.describeHost(host) : null;
  const g = ip !== null ? enricher.describeIp(ip) : null;
  return {
    domain: h?.registrableDomain ?? null,
    country: g?.country ?? null,
    whoisCountry: g?.whoisCountry ?? null,
    asn: g?.asn ?? null,
    org: g?.org ?? null,
    category: h?.tracker?.category ?? null,
    operator: h?.tracker?.operator ?? null,
  };
}

/** Client flows of one (input, source address, source MAC, mode). */
export interface ClientFlowGroup {
  input: number;
  ip: string;
  mac: string | null;
  mode: string;
  flows: number;
  bytesOut: number;
  first: bigint;
  last: bigint;
}

/**
 * Client flows grouped per input, address, MAC and mode, in that order (NULL MACs
 * first): one pass over the flows table serves both the MAC of request senders and
 * the devices' flow counts. One row per client and mode, so it stays small.
 */
export function clientFlowGroups(db: Database.Database, modes: ModeResolver): ClientFlowGroup[] {
  const m = modes.sql('input_id', 'first_ts_ns');
  const stmt = db.prepare(`SELECT input_id, src_ip, src_mac, ${m.expr} AS mode, count(*) AS n, sum(bytes_up) AS up,
    CAST(min(first_ts_ns) AS TEXT) AS first, CAST(max(last_ts_ns) AS TEXT) AS last FROM flows NOT INDEXED
    GROUP BY input_id, src_ip, src_mac, mode`);
  const out: ClientFlowGroup[] = [];
  for (const r of stmt.iterate(...m.params) as Iterable<Record<string, unknown>>) {
    out.push({
      input: r.input_id as number, ip: r.src_ip as string, mac: r.src_mac as string | null, mode: r.mode as string, flows: r.n as number,
      bytesOut: r.up as number, first: BigInt(r.first as string), last: BigInt(r.last as string),
    });
  }
  return out;
}

/**
 * MAC of each (input, client address): the usable MAC seen in most flows; between
 * equals, the first in MAC order (byte order, as SQLite sorts text).
 */
export function macByInputIp(groups: readonly ClientFlowGroup[]): Map<string, string> {
  // Flows per (input, address, MAC) over all modes; groups come in that key order.
  const perMac = new Map<string, { key: string; mac: string; n: number }>();
  for (const g of groups) {
    if (g.mac === null) continue;
    const k = `${g.input}|${g.ip}|${g.mac}`;
    const have = perMac.get(k);
    if (have) have.n += g.flows;
    else perMac.set(k, { key: `${g.input}|${g.ip}`, mac: g.mac, n: g.flows });
  }
  const best = new Map<string, { mac: string; n: number }>();
  for (const c of perMac.values()) {
    const mac = usableMac(c.mac);
    if (mac === null) continue;
    const have = best.get(c.key);
    if (have === undefined || c.n > have.n) best.set(c.key, { mac, n: c.n });
  }
  const out = new Map<string, string>();
  for (const [k, b] of best) out.set(k, b.mac);
  return out;
}

/**
 * Visited pages from the requests themselves: navigations (by their headers), HAR
 * pages whose title is a URL, and the first entry of each HAR page. Returns the HAR
 * pages per input (time order) for the page context of later requests.
 */
function candidatesFromRequests(db: Database.Database, modes: ModeResolver, headerBook: HeaderMemo, hostNames: Memo<string | null>,
  byResponse: Map<number, boolean>,
  add: (u: UrlParts, source: string, mode: RecordMode, ts: bigint, input: number, frame: number | null, entry: number | null, httpId: number | null) => void,
): Map<number, HarPageCtx[]> {
  type Row = { id: number; input_id: number; frame: number | null; entry: number | null; ts: string; dst_ip: string; dst_port: number; source: 'tcp' | 'har'; method: string; host: string | null; uri: string; request_headers: string; response_headers: string | null };
  // A cheap text filter in SQL first: only requests whose headers could make them
  // navigations. The table is scanned as stored and the few that pass are sorted: walking
  // the time index instead would visit every row out of order. LIKE is cheaper here than
  // instr(lower(...)), which copied every header text, and it is ASCII-case-insensitive
  // (the store never sets case_sensitive_like) as navigationByHeaders is: an Accept of
  // "TEXT/HTML" counts too. The stored JSON has no raw NUL, where LIKE would stop.
  const nav = db.prepare(`SELECT id, input_id, frame, entry, CAST(ts_ns AS TEXT) AS ts, dst_ip, dst_port, source, method, host, uri, request_headers,
    response_headers FROM http NOT INDEXED WHERE method IN ('GET', 'POST') AND (request_headers LIKE '%text/html%' OR request_headers LIKE '%xhtml%'
      OR request_headers LIKE '%sec-fetch-%') ORDER BY ts_ns, id`);
  for (const r of nav.iterate() as Iterable<Row>) {
    // isNavigation of a GET or POST, its two halves kept for the request pass.
    const rh = headerBook.of(r.request_headers);
    let navigation = headerNavigation(rh);
    if (navigation === null) {
      // Response headers matter only to requests without Sec-Fetch headers: parsed when asked for.
      navigation = htmlResponse(r.response_headers !== null ? JSON.parse(r.response_headers) as HeaderList : null);
      if (byResponse.size < MAX_NAV_BY_RESPONSE) byResponse.set(r.id, navigation);
    }
    if (!navigation) continue;
    const u = requestUrl(r.host !== null ? hostNames.of(r.host) ?? r.host : null, r.uri, r.dst_port, r.source, r.dst_ip);
    if (u === null) continue;
    const ts = BigInt(r.ts);
    add(u, 'navigation', modes.modeOf(r.input_id, ts), ts, r.input_id, r.frame, r.entry, r.id);
  }
  const harPages = new Map<number, HarPageCtx[]>();
  const pagesRows = db.prepare('SELECT input_id, title, CAST(ts_ns AS TEXT) AS ts FROM har_pages ORDER BY input_id, ts_ns, id').all() as Array<{ input_id: number; title: string; ts: string }>;
  const firstEntry = db.prepare(`SELECT id, input_id, frame, entry, CAST(ts_ns AS TEXT) AS ts, dst_ip, dst_port, source, method, host, uri, request_headers,
    response_headers FROM http WHERE input_id = ? AND ts_ns >= ? AND ts_ns <= ? ORDER BY ts_ns, entry LIMIT 1`);
  for (const p of pagesRows) {
    const ts = BigInt(p.ts);
    const mode = modes.modeOf(p.input_id, ts);
    let url: UrlParts | null = null;
    const titled = parseUrlLike(p.title);
    if (titled !== null) {
      url = titled;
      add(titled, 'har-page', mode, ts, p.input_id, null, null, null);
    }
    // The entry that opened the page (its startedDateTime is the page's, give or take a few seconds).
    const e = firstEntry.get(p.input_id, ts, ts + 10_000_000_000n) as Row | undefined;
    if (e !== undefined && e.method === 'GET') {
      const u = requestUrl(e.host !== null ? hostHeaderName(e.host) ?? e.host : null, e.uri, e.dst_port, e.source, e.dst_ip);
      if (u !== null) {
        add(u, 'har-page', mode, BigInt(e.ts), e.input_id, e.frame, e.entry, e.id);
        url ??= u;
      }
    }
    let list = harPages.get(p.input_id);
    if (!list) harPages.set(p.input_id, (list = []));
    list.push({ ts, url });
  }
  return harPages;
}

/**
 * Sites visited as seen on the network: TLS SNI, and DNS names the client then
 * connected to; one page per registrable domain and mode. Names the tracker list
 * classifies, names outside the Public Suffix List and reverse lookups are not sites
 * anyone visits.
 */
function visitedSites(db: Database.Database, modes: ModeResolver, enricher: Enricher, index: CandidateIndex, add: (p: PageAgg) => void): void {
  const m1 = modes.sql('input_id', 'ts_ns');
  const sources: Array<[string, string]> = [
    // A name only looked up (browsers prefetch the DNS of every link on a page) is not a
    // visit: the client must then have opened a flow to an address the name resolved to.
    ['dns', `SELECT name, mode, ts, input_id, frame, entry FROM (SELECT lower(qname) AS name, ${m1.expr} AS mode,
      CAST(min(ts_ns) AS TEXT) AS ts, input_id, frame, entry FROM dns
      WHERE response = 0 AND flavor = 'dns' AND qtype IN (1, 28, 65) GROUP BY name, mode) AS q
      WHERE EXISTS (SELECT 1 FROM hosts h JOIN flows f ON f.dst_ip = h.ip WHERE h.name = rtrim(q.name, '.') AND h.source = 'dns')`],
    ['sni', `SELECT lower(sni) AS name, ${m1.expr} AS mode, CAST(min(ts_ns) AS TEXT) AS ts, input_id, frame, entry FROM tls
      WHERE sni IS NOT NULL GROUP BY name, mode`],
  ];
  // The same names come from DNS and from SNI: each is judged once.
  const judged = new Map<string, HostDescription | null>();
  const siteHost = (name: string): HostDescription | null => {
    let h = judged.get(name);
    if (h === undefined) {
      h = enricher.describeHost(name);
      if (h !== null && (h.isIp || h.registrableDomain === null || h.tracker !== null || !hasPublicSuffix(h.name))) h = null;
      judged.set(name, h);
    }
    return h;
  };
  for (const [source, sql] of sources) {
    for (const r of db.prepare(sql).iterate(...m1.params) as Iterable<Record<string, unknown>>) {
      let name = r.name as string;
      if (name.endsWith('.')) name = name.slice(0, -1);
      if (name.endsWith('.arpa') || name.endsWith('.local')) continue;
      const h = siteHost(name);
      if (h === null || h.registrableDomain === null) continue;
      index.addHost(h.name);
      add({
        kind: 'site', value: h.registrableDomain, display: h.registrableDomain, host: h.name, domain: h.registrableDomain, mode: r.mode as RecordMode, source,
        ts: BigInt(r.ts as string), input: r.input_id as number, frame: r.frame as number | null, entry: r.entry as number | null, httpId: null,
      });
    }
  }
}

/** True when the name ends in a suffix of the Public Suffix List ('wpad.home', 'router.lan' do not). */
function hasPublicSuffix(name: string): boolean {
  const p = parseDomain(name, { allowPrivateDomains: true, extractHostname: false });
  return p.isIcann === true || p.isPrivate === true;
}

function addWatch(index: CandidateIndex, w: WatchValue): void {
  if (w.kind === 'url') {
    const u = parseUrlLike(w.value, true);
    if (u !== null) index.addUrl(u, 'watch');
  } else if (w.kind === 'email') {
    index.addToken(w.value, checkEmail(w.value) ?? w.value.toLowerCase());
  } else if (w.kind === 'phone') {
    index.addPhone(w.value);
  } else {
    index.addWords(w.value, 'watch', null, null, null);
  }
}

/** The page a Referer or Origin value names: shown URL and party, or null when it is not a URL. */
function pageRef(v: string): { url: string; party: string | null } | null {
  const u = parseUrlLike(v);
  return u === null ? null : { url: displayUrl(u), party: partyOf(u.host) };
}

/**
 * The page a request belongs to: itself when it is a navigation, else its Referer/Origin, else its HAR page.
 * `htmlResponse` is the response's half of isNavigation (only asked for when the request headers leave it open).
 */
function pageContext(r: HttpRow, rh: RequestHeaders, harPages: Map<number, HarPageCtx[]>, refs: Memo<ReturnType<typeof pageRef>>,
  hostNames: Memo<string | null>, htmlResponse: () => boolean): PageCtx {
  if (r.method === 'GET' || r.method === 'POST') {
    if (headerNavigation(rh) ?? htmlResponse()) {
      const u = requestUrl(r.host !== null ? hostNames.of(r.host) ?? r.host : null, r.uri, r.dst_port, r.source, r.dst_ip);
      if (u !== null) return { url: displayUrl(u), party: partyOf(u.host), navigation: true };
    }
  }
  if (rh.ref === undefined) rh.ref = headerPage(rh.list, refs);
  if (rh.ref !== null) return rh.ref;
  if (r.source === 'har') {
    const list = harPages.get(r.input_id);
    if (list) {
      // The last page opened at or before the request (the list is in time order).
      const ts = BigInt(r.ts);
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid].ts <= ts) lo = mid + 1;
        else hi = mid;
      }
      const cur = lo > 0 ? list[lo - 1] : null;
      if (cur?.url) return { url: displayUrl(cur.url), party: partyOf(cur.url.host), navigation: false };
    }
  }
  return { url: null, party: null, navigation: false };
}

/** The page a Referer, else an Origin header names (as pageContext reports it), or null. */
function headerPage(headers: HeaderList, refs: Memo<ReturnType<typeof pageRef>>): PageCtx | null {
  for (const name of ['referer', 'origin']) {
    const v = headerValue(headers, name);
    if (v === null || v === 'null') continue;
    const ref = refs.of(v);
    if (ref !== null) return { url: name === 'referer' ? ref.url : null, party: ref.party, navigation: false };
  }
  return null;
}

interface PageCtx {
  url: string | null;
  party: string | null;
  navigation: boolean;
}

/** A request's headers as the request pass reads them, with what follows from them alone (each worked out on first use). */
interface RequestHeaders {
  list: HeaderList;
  /** decodeHeaderFields of the list, or null until asked for. */
  fields: DecodedRequest | null;
  /** navigationByHeaders of the list. */
  nav: boolean | null | undefined;
  /** The page the Referer or Origin names (see pageContext). */
  ref: PageCtx | null | undefined;
  userAgent: string | null | undefined;
  /** Whether the memo holds it (then what is derived from it counts against the budget). */
  kept: boolean;
}

/** navigationByHeaders of the set, worked out on first use. */
function headerNavigation(rh: RequestHeaders): boolean | null {
  if (rh.nav === undefined) rh.nav = navigationByHeaders(rh.list);
  return rh.nav;
}

/** Requests whose response decided isNavigation that the candidate pass hands to the request pass (memory stays bounded). */
const MAX_NAV_BY_RESPONSE = 1 << 16;
/** Header texts longer than this are parsed afresh every time (not remembered). */
const MEMO_MAX_HEADERS = 16384;
/** Header sets compared by text before the memo is asked (see HeaderMemo). */
const RECENT_HEADERS = 4;

/**
 * Request headers by their stored text. Clients send the same header set request
 * after request (same cookies, same User-Agent), so most texts have been parsed and
 * decoded before; a hit costs one hash of the text instead of a parse and a lookup
 * per cookie and header.
 */
export class HeaderMemo {
  private readonly seen = new BoundedMemo<RequestHeaders>();
  /**
   * The last few header sets met, most recent first. Each text comes from SQLite as a
   * new string, and hashing it for the map reads all of it; comparing it with a recent
   * one stops at the first difference (or at once on another length), and in time order
   * a client's next request mostly carries the headers of one of its last ones.
   */
  private readonly recentText: string[] = [];
  private readonly recent: RequestHeaders[] = [];

  /** The headers stored as `text` (a JSON HeaderList). */
  of(text: string): RequestHeaders {
    const texts = this.recentText;
    for (let i = 0; i < texts.length; i++) {
      if (texts[i] !== text) continue;
      const h = this.recent[i];
      if (i > 0) this.toFront(i, text, h);
      return h;
    }
    let h = this.seen.get(text);
    if (h === undefined) {
      h = { list: JSON.parse(text) as HeaderList, fields: null, nav: undefined, ref: undefined, userAgent: undefined, kept: false };
      if (text.length > MEMO_MAX_HEADERS) return h;
      h.kept = true;
      // The text, and the parsed list about as much again.
      this.seen.set(text, h, 2 * text.length);
    }
    if (texts.length < RECENT_HEADERS) {
      texts.push(text);
      this.recent.push(h);
    }
    this.toFront(texts.length - 1, text, h);
    return h;
  }

  private toFront(i: number, text: string, h: RequestHeaders): void {
    for (let j = i; j > 0; j--) {
      this.recentText[j] = this.recentText[j - 1];
      this.recent[j] = this.recent[j - 1];
    }
    this.recentText[0] = text;
    this.recent[0] = h;
  }

  /** The decoded header fields of `h` (decodeHeaderFields), kept with it; their size counts against the budget. */
  fields(h: RequestHeaders, limits: DecodeLimits | undefined, memo: FieldMemo): DecodedRequest {
    if (h.fields === null) {
      h.fields = decodeHeaderFields(h.list, limits, memo);
      // A header set too large to remember is not in the memo: its fields must not count.
      if (h.kept) {
        let weight = 0;
        for (const l of h.fields.leaves) weight += l.value.length + l.chain.length;
        this.seen.charge(weight);
      }
    }
    return h.fields;
  }
}

/** A pure function's results by argument, for values that come back request after request. */
class Memo<V> {
  private readonly fn: (k: string) => V;
  private readonly seen = new BoundedMemo<{ v: V }>();

  constructor(fn: (k: string) => V) {
    this.fn = fn;
  }

  of(k: string): V {
    let e = this.seen.get(k);
    if (e === undefined) this.seen.set(k, (e = { v: this.fn(k) }));
    return e.v;
  }
}

function identifierSightings(ids: readonly RequestIdentifier[], page: string | null): Sighting[] {
  const out: Sighting[] = [];
  for (const r of ids) {
    const a = r.agg;
    if (a.scope !== 'device' && a.scope !== 'account') continue;
    const text = r.leaf.value;
    const i = text.toLowerCase().indexOf(a.value.toLowerCase());
    const cand: Candidate = { kind: 'identifier', value: a.value, page, domain: null, pageKey: null, operator: null };
    out.push({
      cand, leaf: r.leaf, text, start: i, end: i === -1 ? -1 : i + a.value.length,
      match: text.trim().toLowerCase() === a.value.toLowerCase() ? 'exact' : 'contained', urlHost: null,
    });
  }
  return out;
}

/**
 * Which sightings are leaks, one per kind and value in a request (the best one: an
 * exact match over a value inside longer text, then the shortest chain). A value that
 * belongs to a page is leaked when it goes to another party than the page's; one
 * whose page is unknown (identifiers, watched words) when it goes to a listed tracker
 * or to another party than the page the request was made from. A visited host is not
 * reported separately when a leaked URL in the same request already carries it.
 */
export function chooseLeaks(sightings: readonly Sighting[], destParty: string | null, destOperator: string | null, destIsTracker: boolean,
  pageParty: string | null): Array<{ best: Sighting; others: string[] }> {
  if (sightings.length === 0) return [];
  const best = new Map<string, { best: Sighting; others: string[] }>();
  const urlHosts = new Set<string>();
  for (const s of sightings) {
    const c = s.cand;
    const leak = c.domain !== null
      ? (destParty === null || c.domain !== destParty) && (c.operator === null || c.operator !== destOperator)
      : destIsTracker || (pageParty !== null && destParty !== pageParty);
    if (!leak) continue;
    if (s.urlHost !== null) urlHosts.add(s.urlHost);
    const k = `${c.kind}\u0000${c.value}`;
    const have = best.get(k);
    if (!have) {
      best.set(k, { best: s, others: [] });
      continue;
    }
    if (better(s, have.best)) {
      if (have.others.length < MAX_OTHER_CHAINS && !have.others.includes(have.best.leaf.chain)) have.others.push(have.best.leaf.chain);
      have.best = s;
    } else if (have.others.length < MAX_OTHER_CHAINS && s.leaf.chain !== have.best.leaf.chain && !have.others.includes(s.leaf.chain)) {
      have.others.push(s.leaf.chain);
    }
  }
  const out: Array<{ best: Sighting; others: string[] }> = [];
  for (const l of best.values()) {
    if (l.best.cand.kind === 'visited-host' && urlHosts.has(l.best.cand.value)) continue;
    out.push(l);
  }
  return out;
}

function better(a: Sighting, b: Sighting): boolean {
  if (a.match !== b.match) return a.match === 'exact';
  return a.leaf.chain.split(' → ').length < b.leaf.chain.split(' → ').length;
}

function writePages(db: Database.Database, pages: Map<string, PageAgg>, leakedKeys: Map<string, number>, leakedParties: Map<string, number>,
  resourceParties: ReadonlySet<string>): number {
  const urlDomains = new Set<string>();
  for (const p of pages.values()) if (p.kind === 'url' && p.domain !== null) urlDomains.add(`${p.domain}\u0000${p.mode}`);
  const ins = db.prepare(`INSERT INTO pages (kind, value, host, domain, mode, source, first_ts_ns, input_id, frame, entry, http_id, covered, leaks)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const list = [...pages.values()].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.value.localeCompare(b.value)));
  for (const p of list) {
    const covered = p.kind === 'site' && (urlDomains.has(`${p.domain}\u0000${p.mode}`) || resourceParties.has(p.value));
    const leaks = p.kind === 'url' ? (leakedKeys.get(p.value) ?? 0) : (leakedParties.get(p.value) ?? 0);
    ins.run(p.kind, p.display, p.host, p.domain, p.mode, p.source, p.ts, p.input, p.frame, p.entry,
      p.httpId, covered ? 1 : 0, leaks);
  }
  return list.length;
}
