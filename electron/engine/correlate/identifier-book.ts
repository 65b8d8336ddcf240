/**
 * The identifiers of a case as the analysis meets them, request by request (in time
 * order): what each value is, how often and where it was seen, in which inputs, modes
 * and sessions. Observations go straight to the database (a scratch table first, see
 * moveObservations); only one small aggregate per distinct value stays in memory.
 */
import type Database from 'better-sqlite3';
import { KeyedMemo } from '../findings/memo.ts';
import type { RequestLeaf } from '../findings/request-decode.ts';
import {
  classifyValue, emailsIn, kindRank, RECURRENCE_REQUIRED, type IdentifierBasis, type IdentifierHit, type IdentifierScope,
} from './identifiers.ts';

/** A new session starts after this much silence from an identifier. */
export const SESSION_GAP_NS = 30n * 60n * 1_000_000_000n;

const MAX_KEYS = 10;
const MAX_DESTS = 50;
/** Values longer than this are scanned only for e-mail addresses. */
const MAX_VALUE_LEN = 256;

export interface IdentifierAgg {
  id: number;
  value: string;
  kind: string;
  kinds: Set<string>;
  scope: IdentifierScope;
  basis: IdentifierBasis;
  keys: Set<string>;
  observations: number;
  requests: number;
  firstTs: bigint;
  lastTs: bigint;
  inputs: Set<number>;
  modes: Set<string>;
  sessions: number;
  dests: Set<string>;
}

/** One identifier found in one request (several leaves may carry it). */
export interface RequestIdentifier {
  agg: IdentifierAgg;
  leaf: RequestLeaf;
  key: string | null;
  /** How it was recognised in this request. */
  basis: IdentifierBasis;
  occurrences: number;
}

/** Where a request came from and went to, as the observation row records it. */
export interface ObservationContext {
  httpId: number;
  input: number;
  frame: number | null;
  entry: number | null;
  ts: bigint;
  tsMs: number;
  mode: string;
  endpoint: string;
  destHost: string | null;
  destIp: string | null;
}

const BASIS_RANK: Record<IdentifierBasis, number> = { key: 0, value: 1, shape: 2 };

const OBS_COLUMNS = 'identifier_id, http_id, input_id, frame, entry, ts_ns, key, chain, location, dest_host, dest_ip, mode, endpoint, occurrences';
/** Connection-private table observations wait in until their identifiers are written. */
const OBS_STAGE = 'findings_observation_stage';

export class IdentifierBook {
  private readonly byValue = new Map<string, IdentifierAgg>();
  private nextId = 1;
  private readonly db: Database.Database;
  private readonly insObs: Database.Statement;
  /**
   * What readValue makes of a value under its key (classifyValue's answer, and the
   * trimmed and lower-case forms looked up in the book). Payloads repeat the same
   * values (an app's device id in every event), and the answer depends on the request
   * time only for values that could be timestamps (10 or 13 digits), which are never
   * remembered.
   */
  private readonly classified = new KeyedMemo<ValueReading>();

  /** Start a book on `db`, inside the analysis transaction, with identifier_observations emptied. */
  constructor(db: Database.Database) {
    this.db = db;
    // Observations name identifiers whose rows are written only at the end. Written
    // straight into identifier_observations, each would be a deferred foreign-key
    // violation until then, and SQLite checks every identifier row written while any
    // is outstanding against all rows of the tables that reference identifiers.
    // Staged in a plain table (no constraints, no indexes) they cost less to write and
    // move over in one statement, with the same row ids.
    db.exec(`DROP TABLE IF EXISTS temp.${OBS_STAGE}`);
    db.exec(`CREATE TEMP TABLE ${OBS_STAGE} AS SELECT ${OBS_COLUMNS} FROM main.identifier_observations WHERE 0`);
    this.insObs = db.prepare(`INSERT INTO temp.${OBS_STAGE} (${OBS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Forget the observations of an identifier that is not kept. */
  dropObservations(id: number): void {
    this.db.prepare(`DELETE FROM temp.${OBS_STAGE} WHERE identifier_id = ?`).run(id);
  }

  /** Write the observations into identifier_observations, once the identifier rows they name exist. */
  moveObservations(): void {
    this.db.exec(`INSERT INTO main.identifier_observations (id, ${OBS_COLUMNS}) SELECT rowid, ${OBS_COLUMNS} FROM temp.${OBS_STAGE} ORDER BY rowid`);
    this.db.exec(`DROP TABLE temp.${OBS_STAGE}`);
  }

  get size(): number {
    return this.byValue.size;
  }

  all(): IterableIterator<IdentifierAgg> {
    return this.byValue.values();
  }

  private agg(value: string, kind: string, scope: IdentifierScope, basis: IdentifierBasis, ts: bigint): IdentifierAgg {
    let a = this.byValue.get(value);
    if (!a) {
      a = {
        id: this.nextId++, value, kind, kinds: new Set([kind]), scope, basis, keys: new Set(), observations: 0, requests: 0,
        firstTs: ts, lastTs: ts, inputs: new Set(), modes: new Set(), sessions: 0, dests: new Set(),
      };
      this.byValue.set(value, a);
      return a;
    }
    a.kinds.add(kind);
    const rank = kindRank(kind);
    const cur = kindRank(a.kind);
    // The most specific kind names the value; between equals, a key beats a shape guess.
    if (rank < cur || (rank === cur && BASIS_RANK[basis] < BASIS_RANK[a.basis])) {
      a.kind = kind;
      a.scope = scope;
    }
    if (BASIS_RANK[basis] < BASIS_RANK[a.basis]) a.basis = basis;
    return a;
  }

  /**
   * Identifiers in one request's leaves, recorded as observations (one row per
   * identifier and request, keeping the first chain that carried it).
   */
  observe(leaves: readonly RequestLeaf[], ctx: ObservationContext): RequestIdentifier[] {
    // Most requests carry no identifier: the map is made for the first one found.
    let found: Map<IdentifierAgg, RequestIdentifier> | null = null;
    for (const leaf of leaves) {
      const v = leaf.value;
      if (v.length <= MAX_VALUE_LEN) {
        const r = this.reading(leaf.key, v, ctx.tsMs);
        if (r.hit !== null) {
          found = this.sighted(found, r.hit.value, r.hit.kind, r.hit.scope, r.hit.basis, leaf, ctx.ts);
          continue;
        }
        // A value already known as an identifier, as it is or in lower case.
        const known = r.trimmed !== null ? (this.byValue.get(r.trimmed) ?? (r.lower !== null ? this.byValue.get(r.lower) : undefined)) : undefined;
        if (known !== undefined) {
          found = this.sighted(found, known.value, known.kind, known.scope, 'value', leaf, ctx.ts);
          continue;
        }
      }
      if (v.indexOf('@') > 0) {
        for (const e of emailsIn(v.length > 65536 ? v.slice(0, 65536) : v)) found = this.sighted(found, e, 'email', 'account', 'shape', leaf, ctx.ts);
      }
    }
    if (found === null) return [];
    for (const r of found.values()) {
      const a = r.agg;
      a.observations += r.occurrences;
      a.requests++;
      if (r.key !== null && a.keys.size < MAX_KEYS) a.keys.add(r.key);
      if (a.sessions === 0 || ctx.ts - a.lastTs > SESSION_GAP_NS) a.sessions++;
      if (ctx.ts < a.firstTs) a.firstTs = ctx.ts;
      if (ctx.ts > a.lastTs) a.lastTs = ctx.ts;
      a.inputs.add(ctx.input);
      a.modes.add(ctx.mode);
      const dest = ctx.destHost ?? ctx.destIp;
      if (dest !== null && a.dests.size < MAX_DESTS) a.dests.add(dest);
      this.insObs.run(a.id, ctx.httpId, ctx.input, ctx.frame, ctx.entry, ctx.ts, r.key, r.leaf.chain, r.leaf.where,
        ctx.destHost, ctx.destIp, ctx.mode, ctx.endpoint, r.occurrences);
    }
    return [...found.values()];
  }

  /** Count one sighting of an identifier in the request being observed (`found`, made when null). */
  private sighted(found: Map<IdentifierAgg, RequestIdentifier> | null, value: string, kind: string, scope: IdentifierScope,
    basis: IdentifierBasis, leaf: RequestLeaf, ts: bigint): Map<IdentifierAgg, RequestIdentifier> {
    const a = this.agg(value, kind, scope, basis, ts);
    const map = found ?? new Map<IdentifierAgg, RequestIdentifier>();
    const have = map.get(a);
    if (have) {
      have.occurrences++;
      // A key-based sighting is better evidence than a shape or value match in the same request.
      if (BASIS_RANK[basis] < BASIS_RANK[have.basis]) {
        have.leaf = leaf;
        have.key = leaf.key;
        have.basis = basis;
      }
      return map;
    }
    map.set(a, { agg: a, leaf, key: leaf.key, basis, occurrences: 1 });
    return map;
  }

  private reading(key: string | null, v: string, tsMs: number): ValueReading {
    if (mayBeTimestamp(v)) return readValue(key, v, tsMs);
    let r = this.classified.get(key, v);
    if (r === undefined) {
      r = readValue(key, v, tsMs);
      // The trimmed and lower-case forms are usually the value itself; counted as if they were not.
      this.classified.set(key, v, r, (key?.length ?? 0) + 3 * v.length);
    }
    return r;
  }

  /** Identifiers that are kept: shape-only kinds that need it must recur in two requests. */
  kept(a: IdentifierAgg): boolean {
    return !(a.basis === 'shape' && RECURRENCE_REQUIRED.has(a.kind) && a.requests < 2);
  }
}

/**
 * What observe reads from a leaf value with its key: classifyValue's answer and, when
 * that is null, the forms it is looked up by among the known identifiers (trimmed,
 * 6 characters or more; its lower case when that differs).
 */
interface ValueReading {
  hit: IdentifierHit | null;
  trimmed: string | null;
  lower: string | null;
}

function readValue(key: string | null, v: string, tsMs: number): ValueReading {
  const hit = classifyValue(key, v, tsMs);
  if (hit !== null) return { hit, trimmed: null, lower: null };
  const t = v.trim();
  if (t.length < 6) return { hit, trimmed: null, lower: null };
  const lower = t.toLowerCase();
  return { hit, trimmed: t, lower: lower !== t ? lower : null };
}

/** True when `v`, trimmed as classifyValue trims it, is 10 or 13 digits: what may read as a time near the request's. */
function mayBeTimestamp(v: string): boolean {
  const t = v.trim();
  if (t.length !== 10 && t.length !== 13) return false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Persistence reasons: the same value across inputs, sessions or labelled modes. */
export function persistenceOf(a: IdentifierAgg): string[] {
  const why: string[] = [];
  if (a.inputs.size > 1) why.push('inputs');
  if (a.sessions > 1) why.push('sessions');
  let labelled = 0;
  for (const m of a.modes) if (m !== 'unlabelled') labelled++;
  if (labelled > 1) why.push('modes');
  return why;
}
